import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { buildAppPackage } from '../../adapters/teams/app-package.js';

const manifest = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8'));

function pngSize(path: string): { width: number; height: number; transparent: boolean } {
  const bytes = readFileSync(new URL(`../../adapters/teams/icons/${path}`, import.meta.url));
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), transparent: bytes[25] === 6 };
}

describe('the Teams app manifest', () => {
  afterEach(() => vi.restoreAllMocks());

  it('validates against the official Teams manifest schema, offline (the copy @microsoft/app-manifest ships)', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('no network in this test'));
    const errors = await AppManifestUtils.validateAgainstSchema(manifest);
    expect(errors).toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('is a bot in personal chat, teams and group chats with commands for balance, tickets, escalate, outages and report', () => {
    const [bot] = manifest.bots;
    expect(bot.scopes).toEqual(['personal', 'team', 'groupChat']);
    const titles = bot.commandLists.flatMap((l: { commands: { title: string }[] }) => l.commands.map((c) => c.title));
    for (const wanted of ['balance', 'my open tickets', 'escalate ticket', 'outages', 'report']) expect(titles).toContain(wanted);
  });

  it('has a 192×192 color icon and a 32×32 outline icon with transparency', () => {
    expect(pngSize(manifest.icons.color)).toMatchObject({ width: 192, height: 192 });
    expect(pngSize(manifest.icons.outline)).toEqual({ width: 32, height: 32, transparent: true });
  });

  it('packages the manifest and both icons in a zip, with the bot\'s app id and the service\'s host filled in', async () => {
    const appId = '11111111-2222-3333-4444-555555555555';
    const bytes = Buffer.from(buildAppPackage({ appId, host: 'bot.example.org' }));
    const entries = new Map<string, Buffer>();
    for (let at = 0; bytes.readUInt32LE(at) === 0x04034b50; ) {
      const size = bytes.readUInt32LE(at + 18);
      const nameLength = bytes.readUInt16LE(at + 26);
      const name = bytes.subarray(at + 30, at + 30 + nameLength).toString('utf8');
      entries.set(name, inflateRawSync(bytes.subarray(at + 30 + nameLength, at + 30 + nameLength + size)));
      at += 30 + nameLength + size;
    }
    expect([...entries.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const packaged = JSON.parse(entries.get('manifest.json')?.toString('utf8') ?? '{}');
    expect(packaged.id).toBe(appId);
    expect(packaged.bots[0].botId).toBe(appId);
    expect(packaged.composeExtensions[0].botId).toBe(appId);
    expect(packaged.validDomains).toEqual(['bot.example.org']);
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('no network in this test'));
    expect(await AppManifestUtils.validateAgainstSchema(packaged)).toEqual([]);
    expect(() => buildAppPackage({ appId: 'not-a-guid' })).toThrow(/--app-id must be/);
  });
});
