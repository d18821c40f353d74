/**
 * JSON Schemas of the structured replies, sized to the reply limit: every string has a `maxLength` and every
 * list a `maxItems`, shares of one character budget, so a grammar-constrained server closes the JSON before it
 * reaches `max_tokens`. Strict-mode compatible: every property required, nothing extra.
 */

/** Characters a reply of `maxTokens` tokens may hold: about 3 characters a token, a quarter left for JSON syntax. */
export function charBudget(maxTokens: number): number {
  return Math.floor(maxTokens * 3 * 0.75);
}

import { TEST_COMMANDS } from '../../project/test-commands';

type Schema = Record<string, unknown>;

function text(maxLength: number, minLength = 0): Schema {
  return { type: 'string', ...(minLength > 0 ? { minLength } : {}), maxLength: Math.max(minLength, 16, Math.floor(maxLength)) };
}

/** A list of 1..`maxItems` entries of `item`. */
function list(item: Schema, maxItems: number): Schema {
  return { type: 'array', items: item, minItems: 1, maxItems };
}

/** A relative path of plain segments (the validator also refuses reserved places such as docs/). */
function relativePath(maxLength: number): Schema {
  return { type: 'string', minLength: 1, maxLength, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$' };
}

function object(properties: Record<string, Schema>): Schema {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/** The PM's PRD: title and lists of goals, requirements and acceptance criteria. */
export function prdSchema(budget: number): Schema {
  return object({
    title: text(Math.min(100, budget * 0.05), 1),
    goals: list(text((budget * 0.2) / 4, 1), 4),
    requirements: list(text((budget * 0.35) / 8, 1), 8),
    acceptance_criteria: list(text((budget * 0.25) / 6, 1), 6),
    feedback_response: text(budget * 0.15),
  });
}

/**
 * The Architect's design: the project's test command (one of the allowlist: a constrained server can write no
 * other; the validator refuses one from any other), the specification's sections and the files `scaffold.sh` lays out.
 */
export function designSchema(budget: number): Schema {
  const files = 4;
  return object({
    test_command: { type: 'string', enum: [...TEST_COMMANDS] },
    overview: text(budget * 0.12, 1),
    interfaces: text(budget * 0.15, 1),
    test_plan: text(budget * 0.08, 1),
    files: list(object({ path: relativePath(100), purpose: text((budget * 0.08) / files, 1), content: text((budget * 0.5) / files) }), files),
    feedback_response: text(budget * 0.07),
  });
}

/** The Engineer's files (complete contents) and a note. */
export function codeSchema(budget: number): Schema {
  const files = 4;
  return object({
    files: list(object({ path: relativePath(200), content: text((budget * 0.9) / files) }), files),
    notes: text(budget * 0.05),
  });
}

/** QA's notes on a failed run: a few bullet points. */
export function qaNotesSchema(budget: number): Schema {
  return object({ notes: list(text((budget * 0.9) / 8, 1), 8) });
}

const STRING_CONSTRAINTS = new Set(['maxLength', 'minLength', 'pattern']);

/**
 * The schema without string constraints (`maxLength`, `minLength`, `pattern`), for OpenAI's own endpoint, whose
 * strict mode accepts only a subset of JSON Schema; the reply limit bounds its replies and our validator checks them.
 */
export function withoutStringConstraints(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutStringConstraints);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema as Schema)
      .filter(([key]) => !STRING_CONSTRAINTS.has(key))
      .map(([key, value]) => [key, withoutStringConstraints(value)]),
  );
}
