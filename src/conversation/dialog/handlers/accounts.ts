// Accounts: summary, hierarchy, choosing the account in focus (and default/favourites), contacts and users.
import type { Permission } from '../../../db/schema.js';
import {
  type AccountNode,
  addContact,
  addFavoriteAccount,
  getAccountHierarchy,
  getAccountSummary,
  listContacts,
  setDefaultAccount,
} from '../../../domain/accounts/index.js';
import { addUser, listUsers, removeUser } from '../../../domain/accounts/users.js';
import { formatMoney, formatPhone, humanise } from '../../format.js';
import type { Reply } from '../../reply.js';
import type { Slots } from '../state.js';
import { contactRoleIn, emailIn, personNameIn } from '../slots.js';
import { accountButton, accountCandidates, ask, confirm, entitiesOf, firstEntity, INTENT_PREFIX, refuse, refusedBeforeAsking, resolveAccount, SLOT_PREFIX, type Turn, withAccount } from '../turn.js';

export async function accountSummary(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'account_summary', slots, async (accountNumber) => {
    const result = await getAccountSummary(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    const a = result.value;
    const fields = [
      { label: 'Status', value: humanise(a.status) },
      { label: 'Organisation', value: a.organisation },
      { label: 'Billing address', value: `${a.billingAddress.street}, ${a.billingAddress.city}, ${a.billingAddress.region} ${a.billingAddress.postalCode}` },
      { label: 'Time zone', value: a.timeZone },
      { label: 'Paperless', value: a.paperless ? 'On' : 'Off' },
      { label: 'Open tickets', value: String(a.openTickets) },
      { label: 'Active services', value: String(a.activeServices) },
    ];
    if (a.parent) fields.push({ label: 'Parent account', value: `${a.parent.name} · ${a.parent.number}` });
    if (a.balance) fields.push({ label: 'Balance', value: formatMoney(a.balance.balanceCents, a.currency) });
    return {
      text: `${a.name} (${a.number}) is ${a.status}${a.balance ? `, with a balance of ${formatMoney(a.balance.balanceCents, a.currency)}` : ''} and ${a.openTickets} open ticket${a.openTickets === 1 ? '' : 's'}.`,
      cards: [
        {
          title: a.name,
          subtitle: a.number,
          fields,
          table: a.notes.length ? { columns: ['Note', 'By'], rows: a.notes.map((n) => [n.body, n.author]) } : undefined,
          actions: a.children.slice(0, 5).map((c) => ({ label: `${c.name} · ${c.number}`, value: `${SLOT_PREFIX}account:${c.number}` })),
        },
      ],
    };
  });
}

export async function accountHierarchy(turn: Turn, slots: Slots): Promise<Reply> {
  const named = firstEntity(turn, 'account')?.value ?? (typeof slots.account === 'string' ? slots.account : undefined);
  if (!named && turn.actor.kind === 'staff') return withAccount(turn, 'account_hierarchy', slots, (n) => hierarchyOf(turn, n));
  return hierarchyOf(turn, named);
}

async function hierarchyOf(turn: Turn, accountNumber: string | undefined): Promise<Reply> {
  const result = await getAccountHierarchy(turn.ctx, turn.actor, { accountNumber });
  if (result.kind !== 'ok') return refuse(turn, result);
  const rows: string[][] = [];
  const walk = (nodes: AccountNode[], depth: number) => {
    for (const node of nodes) {
      rows.push([`${'  '.repeat(depth)}${depth ? '└ ' : ''}${node.name}`, node.number, humanise(node.status)]);
      walk(node.children, depth + 1);
    }
  };
  walk(result.value, 0);
  return {
    text: `${rows.length} account${rows.length === 1 ? '' : 's'} in the hierarchy.`,
    cards: [{ title: 'Account hierarchy', table: { columns: ['Account', 'Number', 'Status'], rows: rows.slice(0, 60) } }],
  };
}

/** Switches the account in focus; "make it my default" and "add to favourites" are saved for portal users. */
export async function accountSelect(turn: Turn, slots: Slots): Promise<Reply> {
  const named = typeof slots.account === 'string' || entitiesOf(turn, 'account').length > 0;
  const makeDefault = /\b(default|par défaut)\b/i.test(turn.text) || slots.makeDefault === true;
  const favourite = /\b(favou?rite|favori)/i.test(turn.text) || slots.favourite === true;
  if (!named && !turn.state.focusAccount) {
    const candidates = await accountCandidates(turn.ctx, turn.actor);
    if (turn.actor.kind === 'staff') return ask(turn, 'account_select', slots, 'account', 'Which customer account? Give me the number or the name.');
    if (candidates.length === 0) return refuse(turn, { kind: 'sign_in_required' });
    return ask(turn, 'account_select', { ...slots, makeDefault, favourite }, 'account', 'Which account would you like to work with?', candidates.slice(0, 8).map(accountButton));
  }
  if (!named && turn.state.focusAccount && !makeDefault && !favourite) {
    const candidates = await accountCandidates(turn.ctx, turn.actor);
    return ask(turn, 'account_select', slots, 'account', `You're working with ${turn.state.focusAccount}. Which account would you like instead?`, candidates.filter((c) => c.number !== turn.state.focusAccount).slice(0, 8).map(accountButton));
  }
  const resolved = await resolveAccount(turn, 'account_select', { ...slots, makeDefault, favourite });
  if (resolved.kind === 'ask') return resolved.reply;
  const summary = await getAccountSummary(turn.ctx, turn.actor, { accountNumber: resolved.number });
  if (summary.kind !== 'ok') return refuse(turn, summary);
  const notes: string[] = [];
  if (makeDefault) {
    const result = await setDefaultAccount(turn.ctx, turn.actor, { accountNumber: resolved.number });
    notes.push(result.kind === 'ok' ? 'It is now your default account.' : refuse(turn, result).text);
  }
  if (favourite) {
    const result = await addFavoriteAccount(turn.ctx, turn.actor, { accountNumber: resolved.number });
    notes.push(result.kind === 'ok' ? 'Added to your favourites.' : refuse(turn, result).text);
  }
  return {
    text: `Now working with ${summary.value.name} (${resolved.number}). ${notes.join(' ')}`.trim(),
    quickReplies: [
      { label: 'Balance', value: `${INTENT_PREFIX}balance` },
      { label: 'Open tickets', value: `${INTENT_PREFIX}tickets` },
      { label: 'Services', value: `${INTENT_PREFIX}services` },
    ],
  };
}

export async function contacts(turn: Turn, slots: Slots): Promise<Reply> {
  const adding = slots.adding === true || /\b(add|new|create|ajouter)\b/i.test(turn.text);
  if (adding) {
    const refused = await refusedBeforeAsking(turn, 'account.write');
    if (refused) return refused;
  }
  return withAccount(turn, 'contacts', { ...slots, adding }, async (accountNumber) => {
    if (!adding) {
      const result = await listContacts(turn.ctx, turn.actor, { accountNumber });
      if (result.kind !== 'ok') return refuse(turn, result);
      if (result.value.length === 0) return { text: `There are no contacts on ${accountNumber}.` };
      return {
        text: `${result.value.length} contact${result.value.length === 1 ? '' : 's'} on ${accountNumber}.`,
        cards: [
          {
            title: `Contacts · ${accountNumber}`,
            table: { columns: ['Name', 'Role', 'Email', 'Phone'], rows: result.value.map((c) => [c.name, humanise(c.role), c.email ?? '—', c.phone ? formatPhone(c.phone) : '—']) },
            actions: [{ label: 'Add a contact', value: `${INTENT_PREFIX}contacts:add` }],
          },
        ],
      };
    }
    const merged: Slots = { ...slots, adding: true, account: accountNumber };
    // Everything said at once is used: "add a contact: Jane Smith, billing, jane@northwind.example, 416-555-0142".
    const email = emailIn(turn.original);
    if (typeof merged.email !== 'string' && email) merged.email = email;
    if (typeof merged.phone !== 'string') merged.phone = firstEntity(turn, 'phone')?.value ?? null;
    if (typeof merged.name !== 'string') {
      const name = personNameIn(turn.original.replace(/^.*?\b(add|new|create|ajouter)\b(\s+(a|an|new|the))*(\s+(billing|technical|tech|primary))?\s+contact\b\s*(named|called)?/i, ''));
      if (name) merged.name = name;
    }
    if (typeof merged.role !== 'string') {
      const role = contactRoleIn(turn.original.replace(/\S+@\S+/g, ' '));
      if (role) merged.role = role;
    }
    if (typeof merged.name !== 'string') return ask(turn, 'contacts', merged, 'name', "What is the new contact's full name?");
    if (typeof merged.role !== 'string') {
      return ask(turn, 'contacts', merged, 'role', `What is ${merged.name}'s role on the account?`, ['primary', 'billing', 'technical'].map((r) => ({ label: humanise(r), value: `${SLOT_PREFIX}role:${r}` })));
    }
    if (typeof merged.email !== 'string' && typeof merged.phone !== 'string') {
      return ask(turn, 'contacts', merged, 'email', `What email address or phone number should we use for ${merged.name}?`);
    }
    const how = [merged.email, typeof merged.phone === 'string' ? formatPhone(merged.phone) : null].filter(Boolean).join(', ');
    return confirm(turn, 'contacts', merged, `Add ${merged.name} as the ${merged.role} contact on ${accountNumber} (${how})?`);
  });
}

export async function executeContact(turn: Turn, params: Slots): Promise<Reply> {
  const result = await addContact(turn.ctx, turn.actor, {
    accountNumber: String(params.account),
    contact: {
      name: String(params.name),
      email: typeof params.email === 'string' ? params.email : null,
      phone: typeof params.phone === 'string' ? params.phone : null,
      role: params.role as 'primary' | 'billing' | 'technical',
    },
  });
  if (result.kind !== 'ok') return refuse(turn, result);
  return { text: `Done: ${result.value.name} is now a ${result.value.role} contact on ${params.account}.` };
}

const PERMISSION_WORDS: Record<Permission, RegExp> = {
  billing: /\bbill|pay|factur/i,
  tickets: /\bticket|trouble|support/i,
  services: /\bservice|line|phone/i,
  reports: /\breport|rapport/i,
};

export async function users(turn: Turn, slots: Slots): Promise<Reply> {
  const email = emailIn(turn.original);
  const removing = slots.removing === true || /\b(remove|delete|deactivate|revoke|supprimer)\b/i.test(turn.text);
  const adding = !removing && (slots.adding === true || /\b(add|invite|new|create|ajouter|inviter)\b/i.test(turn.text));
  // Adding or removing is refused before the first question. A list is left to listUsers, which answers
  // anyone but an admin exactly as for an account they cannot see, naming nobody.
  const refused = removing || adding ? await refusedBeforeAsking(turn, 'users.manage') : null;
  if (refused) return refused;
  return withAccount(turn, 'users', slots, async (accountNumber) => {
    if (removing) {
      const who = typeof slots.email === 'string' ? slots.email : email;
      if (!who) return ask(turn, 'users', { ...slots, removing: true, account: accountNumber }, 'email', 'Which user should I remove? Give me their email address.');
      return confirm(turn, 'users', { action: 'remove', email: who, account: accountNumber }, `Remove portal user ${who}? They will no longer be able to sign in.`);
    }
    if (adding) {
      const merged: Slots = { ...slots, adding: true, account: accountNumber };
      if (typeof merged.email !== 'string' && email) merged.email = email;
      if (typeof merged.email !== 'string') return ask(turn, 'users', merged, 'email', 'What is the new user’s email address?');
      if (typeof merged.permissions !== 'string') {
        const said = (Object.keys(PERMISSION_WORDS) as Permission[]).filter((p) => PERMISSION_WORDS[p].test(turn.text.replace(String(merged.email), '')));
        if (said.length) merged.permissions = said.join(',');
        else return ask(turn, 'users', merged, 'permissions', `What may ${merged.email} do? (billing, tickets, services, reports — you can name several)`, [
          { label: 'Billing', value: `${SLOT_PREFIX}permissions:billing` },
          { label: 'Tickets', value: `${SLOT_PREFIX}permissions:tickets` },
          { label: 'Everything', value: `${SLOT_PREFIX}permissions:billing,tickets,services,reports` },
        ]);
      }
      return confirm(
        turn,
        'users',
        { action: 'add', email: merged.email, permissions: merged.permissions, account: accountNumber },
        `Invite ${merged.email} as a portal user on ${accountNumber} and its sub-accounts, with ${String(merged.permissions).split(',').join(', ')} access? The invitation is valid for 30 days.`,
      );
    }
    const result = await listUsers(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    return {
      text: `${result.value.length} portal user${result.value.length === 1 ? '' : 's'} in the organisation of ${accountNumber}.`,
      cards: [
        {
          title: `Portal users · ${accountNumber}`,
          table: {
            columns: ['User', 'Role', 'Access', 'Status', 'Accounts'],
            rows: result.value.map((u) => [u.email, humanise(u.role), u.permissions.join(', '), humanise(u.status), u.accounts.join(', ')]),
          },
        },
      ],
    };
  });
}

export async function executeUsers(turn: Turn, params: Slots): Promise<Reply> {
  if (params.action === 'remove') {
    const result = await removeUser(turn.ctx, turn.actor, { email: String(params.email) });
    if (result.kind !== 'ok') return refuse(turn, result);
    return { text: `Done: ${result.value.email} can no longer sign in.` };
  }
  const permissions = String(params.permissions).split(',').filter(Boolean) as Permission[];
  const result = await addUser(turn.ctx, turn.actor, { email: String(params.email), role: 'user', permissions, accountNumbers: [String(params.account)] });
  if (result.kind !== 'ok') return refuse(turn, result);
  return { text: `Done: ${result.value.email} is invited with ${result.value.permissions.join(', ')} access. The invitation expires in 30 days.` };
}
