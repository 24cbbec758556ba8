import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { ADMIN_AAD, fileConsentActivity, messageActivity, personalChat, STAFF_AAD, startTeamsWorld, type TeamsWorld } from './support.js';

type Attachment = { contentType: string; name?: string; contentUrl?: string; content?: Record<string, unknown> };

describe.each(ENGINES)('files in Teams (%s)', (engine) => {
  let world: TeamsWorld;
  const admin = personalChat(ADMIN_AAD);
  beforeAll(async () => {
    world = await startTeamsWorld(engine);
  }, 60_000);
  afterAll(async () => world?.close());

  async function askForPdf(chat: ReturnType<typeof personalChat>) {
    const before = world.connector.messages().length;
    await world.post(messageActivity(world.connector, chat, 'long distance summary for account 5000001 last month as pdf'));
    const sent = world.connector.messages().slice(before);
    const consent = sent.flatMap((m) => (m.body.attachments ?? []) as Attachment[]).find((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.consent');
    return consent;
  }

  it('offers a report PDF with a file consent card and uploads it when the person accepts', async () => {
    const consent = await askForPdf(admin);
    expect(consent?.name).toMatch(/\.pdf$/);
    const before = world.connector.messages().length;
    const response = await world.post(fileConsentActivity(world.connector, admin, 'accept', consent?.content?.acceptContext, 'bot-activity-2'));
    expect(response.status).toBe(200);
    const [upload] = world.connector.uploads;
    expect(upload?.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(upload?.range).toBe(`bytes 0-${(upload?.bytes.length ?? 0) - 1}/${upload?.bytes.length}`);
    expect(Number(consent?.content?.sizeInBytes)).toBe(upload?.bytes.length);
    const [info] = world.connector.messages().slice(before).flatMap((m) => (m.body.attachments ?? []) as Attachment[]);
    expect(info).toMatchObject({ contentType: 'application/vnd.microsoft.teams.card.file.info', contentUrl: 'https://contoso-my.sharepoint.com/personal/report.pdf', content: { uniqueId: 'ONEDRIVE-ITEM-1', fileType: 'pdf' } });
  });

  it("never hands out another conversation's file", async () => {
    const consent = await askForPdf(admin);
    const uploads = world.connector.uploads.length;
    const staff = personalChat(STAFF_AAD, 'Casey Care');
    const before = world.connector.messages().length;
    await world.post(fileConsentActivity(world.connector, staff, 'accept', consent?.content?.acceptContext, 'bot-activity-2'));
    expect(world.connector.uploads.length).toBe(uploads);
    expect(world.connector.messages().slice(before)[0]?.body.text).toMatch(/no longer available/);
  });
});
