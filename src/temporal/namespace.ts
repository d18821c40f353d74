/**
 * Making a namespace ready for sessions: its custom search attributes and its retention period, registering the
 * namespace itself when asked to. The library of the worker's start-up and of `npm run setup-namespace`
 * (setup-namespace.ts, the one-shot command).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { SearchAttributeKeys } from '../../workflows/definitions';
import type { OrchestratorConfig } from '../config';
import { logger } from '../logger';
import { GrpcCode, grpcCodeOf } from './grpc-status';

const { IndexedValueType } = temporal.api.enums.v1;
type IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const DAY_SECONDS = 24 * 60 * 60;

const INDEXED_TYPE: Record<SearchAttributeType, IndexedValueType> = {
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Register search attributes by name and type (every session attribute by default). */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly SearchAttributeKey<SearchAttributeType>[] = Object.values(SearchAttributeKeys),
): Promise<void> {
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(keys.map((key) => [key.name, INDEXED_TYPE[key.type]])),
  });
}

/** What the set-up changed, for the start-up log. */
export interface NamespaceSetupReport {
  searchAttributesAdded: string[];
  retentionDaysBefore: number | null;
  retentionDays: number;
}

/**
 * Make the namespace ready for sessions, idempotently: register the custom search attributes it lacks (the dev
 * server's `--search-attribute` flag only acts when it creates the namespace) and apply the retention period.
 */
export async function prepareNamespace(
  connection: Connection,
  namespace: string,
  retentionDays: number,
): Promise<NamespaceSetupReport> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(SearchAttributeKeys).filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length > 0) await registerSearchAttributes(connection, namespace, missing);

  const described = await connection.workflowService.describeNamespace({ namespace });
  const ttl = described.config?.workflowExecutionRetentionTtl;
  const before = ttl?.seconds != null ? Number(ttl.seconds) / DAY_SECONDS : null;
  if (before !== retentionDays) {
    await connection.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: msToTs(`${retentionDays} days`) },
    });
  }
  return { searchAttributesAdded: missing.map((key) => key.name), retentionDaysBefore: before, retentionDays };
}

/** Options of {@link setUpNamespace}. */
export interface SetUpNamespaceOptions {
  /** Register the namespace when the cluster does not have it (a fresh self-hosted cluster). @default false */
  createIfMissing?: boolean;
  /** How long a namespace just registered may take to become usable, in milliseconds. @default 60000 */
  readyTimeoutMs?: number;
}

/**
 * Make the configured namespace ready for sessions (search attributes, retention) and log what changed, unless
 * `skipNamespaceSetup` is set (Temporal Cloud, where they are managed with tcld or the Cloud UI).
 */
export async function setUpNamespace(connection: Connection, config: OrchestratorConfig, options: SetUpNamespaceOptions = {}): Promise<void> {
  if (config.skipNamespaceSetup) {
    logger.info({ namespace: config.namespace }, 'namespace set-up skipped (TEMPORAL_SKIP_NAMESPACE_SETUP)');
    return;
  }
  const { namespace, retentionDays } = config;
  let created = false;
  if (options.createIfMissing) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (err) {
      if (grpcCodeOf(err) !== GrpcCode.NOT_FOUND) throw err;
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) });
      created = true;
      logger.info({ namespace, retentionDays }, 'namespace registered');
    }
  }
  // A namespace just registered reaches every frontend's cache within seconds; until then it is "not found".
  const deadline = Date.now() + (created ? (options.readyTimeoutMs ?? 60_000) : 0);
  for (;;) {
    try {
      const report = await prepareNamespace(connection, namespace, retentionDays);
      logger.info({ ...report, namespace }, 'namespace ready');
      return;
    } catch (err) {
      if (grpcCodeOf(err) !== GrpcCode.NOT_FOUND || Date.now() >= deadline) throw err;
      await sleep(1_000);
    }
  }
}
