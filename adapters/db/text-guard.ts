// The last line of defence for text reaching the database: C0 control characters (U+0000 above all) are
// dropped from every parameter of every query, so both engines take and find exactly the same strings.
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

// PostgreSQL refuses U+0000 in text ('invalid byte sequence for encoding "UTF8": 0x00') where SQLite
// stores it, so one stray NUL was a 500 on one engine and a row on the other. The other C0 controls are
// accepted by both but mean nothing in any column we have; tab, line feed and carriage return are text.
// The edges (web chat, Slack, portal tokens) strip them first; this catches whatever a new edge forgets.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/**
 * A Kysely plugin that strips C0 control characters (all but tab, LF and CR) from string parameters:
 * values of inserts and updates, and the parameters of where clauses and raw `sql` alike, so a lookup
 * with a NUL finds what an insert with the same NUL stored. Only strings (and strings in arrays, as pg
 * sends arrays) change; numbers, dates, Buffers and other objects pass untouched, and JSON text never
 * holds a raw control character (JSON.stringify escapes them). A query with nothing to strip is returned
 * as it came, without a copy.
 */
export function textGuard(): KyselyPlugin {
  return {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      return guardNode(node as unknown as Node) as unknown as RootOperationNode;
    },
    async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return result;
    },
  };
}

/** A string without C0 controls other than tab, LF and CR; the same string when it had none. */
export function withoutControlCharacters(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, '') : text;
}

type Node = { readonly kind?: unknown; readonly [key: string]: unknown };

/** The node with its parameters guarded: the same object when nothing changed, a frozen copy otherwise. */
function guardNode(node: Node): Node {
  if (node.kind === 'ValueNode') {
    const value = guardValue(node.value);
    return value === node.value ? node : Object.freeze({ ...node, value });
  }
  if (node.kind === 'PrimitiveValueListNode') {
    const values = guardArray(node.values as readonly unknown[]);
    return values === node.values ? node : Object.freeze({ ...node, values });
  }
  let copy: Record<string, unknown> | null = null;
  for (const key in node) {
    const child = node[key];
    if (typeof child !== 'object' || child === null) continue;
    const guarded = Array.isArray(child) ? guardNodes(child) : guardNode(child as Node);
    if (guarded !== child) {
      copy ??= { ...node };
      copy[key] = guarded;
    }
  }
  return copy === null ? node : Object.freeze(copy);
}

function guardNodes(nodes: readonly unknown[]): readonly unknown[] {
  let copy: unknown[] | null = null;
  for (let i = 0; i < nodes.length; i++) {
    const child = nodes[i];
    if (typeof child !== 'object' || child === null) continue;
    const guarded = guardNode(child as Node);
    if (guarded !== child) {
      copy ??= [...nodes];
      copy[i] = guarded;
    }
  }
  return copy === null ? nodes : Object.freeze(copy);
}

function guardValue(value: unknown): unknown {
  if (typeof value === 'string') return withoutControlCharacters(value);
  if (Array.isArray(value)) return guardArray(value);
  return value;
}

function guardArray(values: readonly unknown[]): readonly unknown[] {
  let copy: unknown[] | null = null;
  for (let i = 0; i < values.length; i++) {
    const guarded = guardValue(values[i]);
    if (guarded !== values[i]) {
      copy ??= [...values];
      copy[i] = guarded;
    }
  }
  return copy === null ? values : copy;
}
