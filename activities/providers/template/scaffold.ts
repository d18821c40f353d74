import { createHash } from 'node:crypto';
import { languageOf, type ProjectLanguage, type TestCommand } from '../../project/test-commands';
import type { AgentBrief, GeneratedFile } from '../types';
import { nodeScaffoldFiles, TEMPLATE_FILES, templateModule } from './project';
import { PYTHON_FILES, pythonModule, pythonScaffoldFiles } from './python-project';

/**
 * The template Architect's test command: `pytest` (a Python project) when the mission, the project name or any
 * reviewer feedback names Python (the word, in any case), otherwise `npm test` (a Node project).
 */
export function templateTestCommand(brief: AgentBrief): TestCommand {
  const texts = [brief.mission, brief.projectName ?? '', ...brief.feedback.map((entry) => entry.feedback)];
  return texts.some((text) => /\bpython\b/i.test(text)) ? 'pytest' : 'npm test';
}

/** The module the template Engineer writes for a project of `language`. */
export function templateCodeFile(brief: AgentBrief, language: ProjectLanguage): GeneratedFile {
  return language === 'python' ? { path: PYTHON_FILES.module, content: pythonModule(brief) } : { path: TEMPLATE_FILES.module, content: templateModule(brief) };
}

/**
 * `scaffold.sh` for the project `command` tests: its files in quoted here-documents (a delimiter made from their
 * hash, so no content can end one early), the stub only when the engineer has not written the module yet; safe to
 * run more than once.
 */
export function templateScaffold(brief: AgentBrief, command: TestCommand = templateTestCommand(brief)): string {
  const python = languageOf(command) === 'python';
  const files = python ? pythonScaffoldFiles(brief) : nodeScaffoldFiles(brief);
  const all = files.map((file) => file.content).join('\n');
  const tag = `__ORCHESTRATOR_EOF_${createHash('sha256').update(all).digest('hex').slice(0, 12)}__`;
  const dirs = [...new Set(files.map((file) => file.path.split('/').slice(0, -1).join('/')).filter(Boolean))].sort();
  const lines = [
    '#!/usr/bin/env bash',
    python
      ? '# Lays out the project described in docs/TECH_SPEC.md: a Python project whose `pytest` runs tests/.'
      : '# Lays out the project described in docs/TECH_SPEC.md: a Node package whose `npm test` runs node:test.',
    `# Safe to run more than once; it lays out ${files.find((file) => !file.always)!.path} only when the engineer has not written it yet.`,
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    `mkdir -p ${dirs.join(' ')}`,
  ];
  for (const file of files) {
    const write = [`cat > ${file.path} <<'${tag}'`, file.content.replace(/\n$/, ''), tag];
    lines.push(...(file.always ? write : [`if [ ! -e ${file.path} ]; then`, ...write, 'fi']));
  }
  lines.push(python ? 'echo "scaffold: laid out pytest.ini, tests/ and src/"' : 'echo "scaffold: laid out package.json, test/ and src/"', '');
  return lines.join('\n');
}
