import type { AgentBrief } from '../types';
import { facts, type ScaffoldFile } from './project-facts';

/** Files of the template's Python project, relative to the work directory. */
export const PYTHON_FILES = {
  config: 'pytest.ini',
  module: 'src/project.py',
  test: 'tests/test_project.py',
} as const;

/** pytest's settings: the tests under tests/, the sources importable from src/, no cache left in the project. */
export function pythonConfig(): string {
  return ['[pytest]', 'testpaths = tests', 'pythonpath = src', 'addopts = -p no:cacheprovider', ''].join('\n');
}

/** Real pytest tests the scaffold lays out; they fail against the stub and pass once the module is written. */
export function pythonTest(brief: AgentBrief): string {
  const { mission, title, feedback } = facts(brief);
  return [
    '"""Tests of the project\'s interface; laid out by scaffold.sh and run by QA with pytest."""',
    'import project',
    '',
    `MISSION = ${JSON.stringify(mission)}`,
    `FEEDBACK = ${JSON.stringify(feedback)}`,
    '',
    '',
    'def test_describe_mission_returns_the_mission():',
    '    assert project.describe_mission() == MISSION',
    '',
    '',
    'def test_requirements_start_with_the_mission_and_include_every_piece_of_feedback():',
    '    requirements = project.requirements()',
    '    assert requirements[0] == MISSION',
    '    for item in FEEDBACK:',
    '        assert item in requirements, f"missing requirement: {item}"',
    '',
    '',
    'def test_summary_names_the_project_and_counts_its_requirements():',
    `    assert project.summary() == ${JSON.stringify(`${title}: `)} + str(1 + len(FEEDBACK)) + " requirement(s)"`,
    '',
  ].join('\n');
}

/** The stub module the scaffold lays out: every function raises until the engineer implements it. */
export function pythonStub(): string {
  return [
    '"""Laid out by scaffold.sh; the engineer implements it (see docs/TECH_SPEC.md)."""',
    '',
    '',
    'def _not_implemented(name):',
    '    def stub(*args, **kwargs):',
    '        raise NotImplementedError(f"{name} is not implemented yet")',
    '',
    '    return stub',
    '',
    '',
    'describe_mission = _not_implemented("describe_mission")',
    'requirements = _not_implemented("requirements")',
    'summary = _not_implemented("summary")',
    '',
  ].join('\n');
}

/** The engineer's implementation of the template's Python project. */
export function pythonModule(brief: AgentBrief): string {
  const { mission, title, feedback } = facts(brief);
  return [
    '"""The project\'s mission, requirements and summary (see docs/TECH_SPEC.md)."""',
    '',
    `MISSION = ${JSON.stringify(mission)}`,
    `TITLE = ${JSON.stringify(title)}`,
    `REQUIREMENTS = (MISSION, *${JSON.stringify(feedback)})`,
    '',
    '',
    'def describe_mission():',
    '    """Returns the mission this project implements."""',
    '    return MISSION',
    '',
    '',
    'def requirements():',
    '    """Returns the requirements: the mission, then every piece of reviewer feedback."""',
    '    return list(REQUIREMENTS)',
    '',
    '',
    'def summary():',
    '    """Returns a one-line summary of the project."""',
    '    return f"{TITLE}: {len(REQUIREMENTS)} requirement(s)"',
    '',
  ].join('\n');
}

/** What `scaffold.sh` lays out for the Python project: settings and tests every time, the stub only once. */
export function pythonScaffoldFiles(brief: AgentBrief): ScaffoldFile[] {
  return [
    { path: PYTHON_FILES.config, content: pythonConfig(), always: true },
    { path: PYTHON_FILES.test, content: pythonTest(brief), always: true },
    { path: PYTHON_FILES.module, content: pythonStub(), always: false },
  ];
}
