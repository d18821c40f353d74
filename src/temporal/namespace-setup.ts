import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { SearchAttributeKeys } from '../../workflows/definitions';

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
