// Builds the Teams app package (manifest.json and its two icons in one zip) to upload in Teams or the Developer
// Portal: `npm run teams:package -- [--app-id GUID] [--host support.example.com] [--out dist/teams-app.zip]`.
// The app and bot id default to MicrosoftAppId; the host replaces support.example.com in the manifest.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';
const PLACEHOLDER_HOST = 'support.example.com';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The manifest with the bot's app id and the service's host filled in, and the icons it names. */
export function buildAppPackage(options: { appId?: string; host?: string } = {}): Uint8Array {
  const manifest = JSON.parse(readFileSync(resolve(ROOT, 'manifest.json'), 'utf8')) as {
    id: string;
    bots: { botId: string }[];
    composeExtensions?: { botId: string }[];
    icons: { color: string; outline: string };
  };
  if (options.appId !== undefined && !GUID.test(options.appId)) throw new Error(`--app-id must be the bot's Microsoft App ID (a GUID), got "${options.appId}"`);
  if (options.host !== undefined && !/^[a-z0-9.-]+(:\d+)?$/i.test(options.host)) throw new Error(`--host must be a host name like support.example.com, got "${options.host}"`);
  const appId = options.appId ?? PLACEHOLDER_ID;
  manifest.id = appId;
  for (const bot of [...manifest.bots, ...(manifest.composeExtensions ?? [])]) bot.botId = appId;
  const text = JSON.stringify(manifest, null, 2).replaceAll(PLACEHOLDER_HOST, options.host ?? PLACEHOLDER_HOST);
  const icon = (name: string) => readFileSync(resolve(ROOT, 'adapters/teams/icons', name));
  return zip([
    { name: 'manifest.json', data: new TextEncoder().encode(text) },
    { name: manifest.icons.color, data: icon(manifest.icons.color) },
    { name: manifest.icons.outline, data: icon(manifest.icons.outline) },
  ]);
}

/** A plain zip (deflate, no directories): all the app package needs. */
function zip(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const packed = deflateRawSync(file.data);
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0, 10); // time and date: 1980-01-01, so the package is the same bytes every build
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'app-id': { type: 'string' }, host: { type: 'string' }, out: { type: 'string' } } });
  const appId = values['app-id'] ?? process.env.MicrosoftAppId;
  const out = resolve(values.out ?? 'dist/teams-app.zip');
  try {
    const bytes = buildAppPackage({ ...(appId ? { appId } : {}), ...(values.host ? { host: values.host } : {}) });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, bytes);
    process.stdout.write(`wrote ${out} (${bytes.length} bytes)${appId ? '' : ' with the placeholder app id: pass --app-id or set MicrosoftAppId'}\n`);
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
