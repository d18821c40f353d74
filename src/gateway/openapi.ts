import { z } from 'zod';
import { BODY_RESPONSES, COMMON_RESPONSES, OPERATIONS, type Operation, type ResponseSpec } from './operations';
import { EventIdSchema } from './dashboard-operations';
import { IdempotencyKeyHeader, jsonSchemaKeywords, PATH_PARAMETERS, schemaRegistry } from './schemas';

type JsonSchema = Record<string, unknown>;
const REF_PREFIX = '#/components/schemas/';

/** The keywords registered for `schema` or for the schema it was cloned from (`.describe()` clones). */
function keywordsOf(schema: z.ZodType): Record<string, unknown> | undefined {
  for (let current: z.ZodType | undefined = schema; current; current = current._zod.parent as z.ZodType | undefined) {
    const keywords = jsonSchemaKeywords.get(current);
    if (keywords) return keywords;
  }
  return undefined;
}

/** A schema as JSON Schema 2020-12, named schemas as `$ref`s into `components.schemas`. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const generated = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    metadata: schemaRegistry,
    override: ({ zodSchema, jsonSchema: emitted }) => Object.assign(emitted, keywordsOf(zodSchema as unknown as z.ZodType)),
  }) as JsonSchema;
  const { $schema: _schema, $defs: _defs, ...rest } = generated;
  return pointRefsAtComponents(rest) as JsonSchema;
}

/** zod refers to named schemas as `#/$defs/<id>`; in the document they live in `components.schemas`. */
function pointRefsAtComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pointRefsAtComponents);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' ? [key, inner.replace(/^#\/\$defs\//, REF_PREFIX)] : [key, pointRefsAtComponents(inner)],
    ),
  );
}

function components(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(schemaRegistry, { target: 'draft-2020-12', uri: (id) => `${REF_PREFIX}${id}` }) as {
    schemas: Record<string, JsonSchema>;
  };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema;
      return [id, rest];
    }),
  );
}

function response(spec: ResponseSpec): JsonSchema {
  if (spec.schema) return { description: spec.description, content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } } };
  const content = Object.fromEntries(
    (spec.contentTypes ?? []).map((type) => [type, { schema: spec.events && type === 'text/event-stream' ? eventSchema(spec.events) : { type: 'string' } }]),
  );
  return { description: spec.description, content };
}

/**
 * One event of a `text/event-stream` (OpenAPI 3.1: the media type's schema describes each event, as
 * `{event, data, id?, retry?}`): the event's name, and its `data` as JSON of the schema given for that name.
 */
function eventSchema(events: Record<string, z.ZodType>): JsonSchema {
  return {
    oneOf: Object.entries(events).map(([name, data]) => ({
      type: 'object',
      properties: {
        event: { const: name },
        data: { type: 'string', contentMediaType: 'application/json', contentSchema: jsonSchema(data, 'output') },
        id: { ...jsonSchema(EventIdSchema, 'output'), description: 'the last id sent: pass it as Last-Event-ID to resume' },
        retry: { type: 'integer', minimum: 0 },
      },
      required: ['event', 'data'],
    })),
  };
}

/** How the gateway the document describes runs. */
export interface OpenApiOptions {
  /** It has API_TOKEN: /sessions routes need `Authorization: Bearer <token>`. @default true */
  bearerAuth?: boolean;
}

function pathParameter(name: string): z.ZodType {
  const schema = (PATH_PARAMETERS as Record<string, z.ZodType>)[name];
  if (!schema) throw new Error(`path parameter :${name} has no schema in PATH_PARAMETERS`);
  return schema;
}

function operation(op: Operation, bearerAuth: boolean): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const match of op.path.matchAll(/:(\w+)/g)) {
    const name = match[1] ?? '';
    parameters.push({
      name,
      in: 'path',
      required: true,
      schema: jsonSchema(pathParameter(name), 'input'),
    });
  }
  const query = jsonSchema(op.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  for (const [name, schema] of Object.entries(query.properties ?? {})) {
    parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
  }
  for (const [name, header] of Object.entries(op.headers ?? {})) {
    parameters.push({ name, in: 'header', required: false, description: header.description, schema: jsonSchema(header.schema, 'input') });
  }
  if (op.idempotencyKey) {
    parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, description: op.idempotencyKey, schema: jsonSchema(IdempotencyKeyHeader.unwrap(), 'input') });
  }
  const responses: Record<string, JsonSchema> = {};
  const common = op.authenticated ? { ...COMMON_RESPONSES } : {};
  if (!bearerAuth) delete common[401];
  const all = { ...common, ...(op.body ? BODY_RESPONSES : {}), ...op.responses };
  for (const [status, spec] of Object.entries(all)) responses[status] = response(spec);
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body
      ? { requestBody: { required: !op.bodyOptional, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } }
      : {}),
    responses,
    ...(op.authenticated || !bearerAuth ? {} : { security: [] }),
  };
}

/**
 * The OpenAPI 3.1 document of the gateway, generated from the schemas that validate its requests. It declares
 * bearer auth only when the gateway requires it, so that it says exactly what the server accepts in either mode.
 */
export function buildOpenApiDocument(options: OpenApiOptions = {}): JsonSchema {
  const bearerAuth = options.bearerAuth ?? true;
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of Object.values(OPERATIONS) as Operation[]) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[op.method] = operation(op, bearerAuth);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AI development session orchestrator',
      version: '1.0.0',
      description:
        'Sessions are durable Temporal workflows: PM → architect → human review → engineer → QA. JSON is snake_case; ' +
        'every error body is {"error": {"code", "message"}}. ' +
        (bearerAuth
          ? 'This gateway has API_TOKEN: /sessions routes need `Authorization: Bearer <token>`; health, readiness, metrics and this document stay open.'
          : 'This gateway runs without API_TOKEN (open, on loopback by default): no route needs credentials.'),
    },
    tags: [
      { name: 'sessions', description: 'Sessions and their review gate' },
      { name: 'operations', description: 'Health, readiness, metrics' },
    ],
    ...(bearerAuth ? { security: [{ bearer: [] }] } : {}),
    paths,
    components: {
      schemas: components(),
      ...(bearerAuth ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The gateway’s API_TOKEN.' } } } : {}),
    },
  };
}
