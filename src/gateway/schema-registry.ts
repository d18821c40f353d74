/**
 * What every schema of the gateway's wire format is built with: the registry of named schemas (the OpenAPI
 * document's `components.schemas`), timestamps, and strings whose lengths count as JSON Schema counts them.
 */
import { z } from 'zod';

/** Where the named schemas of the OpenAPI document's `components.schemas` are registered. */
export const schemaRegistry = z.registry<{ id: string; description?: string }>();

/** Registers `schema` as a named component of the OpenAPI document. */
export function named<T extends z.ZodType>(schema: T, id: string, description: string): T {
  schemaRegistry.add(schema, { id, description });
  return schema;
}

/** An ISO 8601 UTC timestamp as the API writes it. */
export const timestamp = z.iso.datetime().describe('ISO 8601, UTC');

/**
 * JSON Schema keywords a request schema stands for that zod cannot emit itself (see {@link chars}); the document
 * generator adds them.
 */
export const jsonSchemaKeywords = new WeakMap<z.ZodType, Record<string, unknown>>();

/** What else a {@link chars} string must satisfy. */
interface TextRules {
  /** A pattern it must match (emitted as `pattern`: keep it to syntax JS and Python's re read alike). */
  pattern?: RegExp;
  /** The error when it does not. */
  message?: string;
  /** Hand the handler the value trimmed (checks apply to the value as sent, as the document says). */
  trim?: boolean;
}

/**
 * A string of `min` to `max` characters as JSON Schema counts them, in code points (zod's `.max()` counts UTF-16
 * units, so an emoji would count twice and a string the document allows would be refused). Chain only wrappers
 * (optional, nullable) after it: the keywords belong to this instance.
 */
export function chars(min: number, max: number, rules: TextRules = {}): z.ZodString {
  let schema = z.string().refine((value) => {
    const length = [...value].length;
    return length >= min && length <= max;
  }, `must be ${min === 0 ? `at most ${max}` : `${min} to ${max}`} characters`);
  if (rules.pattern) schema = schema.regex(rules.pattern, rules.message);
  if (rules.trim) schema = schema.trim();
  jsonSchemaKeywords.set(schema, { minLength: min, maxLength: max });
  return schema;
}
