// The embeddable chat widget: <script src="https://HOST/widget.js" async></script> adds a "Chat with us"
// button and a chat panel (in a shadow root, so the page's styles and the widget's stay apart). Plain
// browser JavaScript, no build step. Everything a person reads comes from STRINGS; text from the
// conversation is only ever set with textContent, never parsed as HTML.
(() => {
  

  const STRINGS = {
    en: {
      launcher: 'Chat with us',
      title: 'Support Assistant',
      close: 'Close chat',
      log: 'Conversation',
      you: 'You',
      assistant: 'Assistant',
      agent: 'Support agent',
      notice: 'Notice',
      youPressed: 'You chose',
      inputLabel: 'Type your message',
      placeholder: 'Ask about your bill, tickets, outages…',
      send: 'Send',
      typing: 'The assistant is typing…',
      connecting: 'Connecting…',
      reconnecting: 'Connection lost. Reconnecting…',
      offline: 'You are offline. The chat will reconnect when you are back online.',
      reconnected: 'Reconnected.',
      signIn: 'Sign in',
      signOut: 'Sign out',
      signInTitle: 'Sign in with your account',
      signInHelp: 'Your PIN goes only to our secure sign-in, never into the conversation.',
      accountNumber: 'Account number',
      pin: 'PIN',
      signInSubmit: 'Sign in',
      cancel: 'Cancel',
      signingIn: 'Checking…',
      signedInAs: 'Signed in: {label}',
      agentJoined: 'A support agent joined the conversation.',
      agentLeft: 'The support agent has left; the assistant is back.',
      agentWaiting: 'Waiting for a support agent to join…',
      download: 'Download {name}',
      downloadFailed: 'The download did not work. Please try again.',
      transcript: 'Transcript',
      transcriptText: 'Download transcript (text)',
      transcriptPdf: 'Download transcript (PDF)',
      tooLong: 'That message is too long ({bytes} bytes); the limit is 4 KB. Please shorten it.',
      bytesLeft: '{left} bytes left',
      notSent: 'Not sent.',
      retry: 'Retry',
      sessionEnded: 'Your previous chat session ended, so this is a new conversation.',
      error: 'Something went wrong. Please try again.',
      welcome: 'Hi! I can tell you about outages and maintenance, and — once you sign in — your bills, payments, tickets, services and reports. What can I help you with?',
    },
  };

  const script = document.currentScript;
  const data = script?.dataset || {};
  const lang = data.lang && STRINGS[data.lang] ? data.lang : 'en';
  const T = STRINGS[lang];
  const t = (key, values) => {
    let text = T[key] || STRINGS.en[key] || key;
    for (const [name, value] of Object.entries(values || {})) text = text.split(`{${name}}`).join(String(value));
    return text;
  };
  const apiBase = (data.api || (script?.src ? new URL(script.src, location.href).origin : location.origin)).replace(/\/$/, '');
  const storageKey = `support-chat:${apiBase}`;
  const MAX_BYTES = 4096;
  const timeZone = (() => {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch {
      return undefined;
    }
  })();

  // ---- state ------------------------------------------------------------------------------------

  const state = {
    token: null,
    lastSeq: 0,
    signedIn: null,
    socket: null,
    stream: null,
    transport: 'none',
    live: false,
    wasLive: false,
    attempts: 0,
    socketFailures: 0,
    socketWorked: false,
    quiet: false,
    reconnectTimer: null,
    agentPresent: false,
    labels: new Map(),
    pending: [],
    catchingUp: null,
    started: null,
  };

  const store = {
    load() {
      try {
        return JSON.parse(sessionStorage.getItem(storageKey) || 'null');
      } catch {
        return null;
      }
    },
    save() {
      try {
        sessionStorage.setItem(storageKey, JSON.stringify({ token: state.token }));
      } catch {
        // Private modes may refuse storage; the chat still works for this page.
      }
    },
    clear() {
      try {
        sessionStorage.removeItem(storageKey);
      } catch {
        // As above.
      }
    },
  };

  // ---- DOM helpers ------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = value;
      else if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children || []) if (child) node.appendChild(child);
    return node;
  }

  const CSS = `
:host{all:initial}
*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#0b5cad;color:#fff;border:0;border-radius:999px;padding:12px 18px;font-size:15px;font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}
.launcher:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:400px;max-width:calc(100vw - 24px);height:640px;max-height:calc(100vh - 40px);display:flex;flex-direction:column;background:#fff;color:#1c2530;border:1px solid #c9d3de;border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.25);overflow:hidden;font-size:14px;line-height:1.45}
.panel[hidden]{display:none}
.head{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#0b3d6e;color:#fff}
.head h2{font-size:16px;margin:0;flex:1;font-weight:600}
.head button{background:transparent;color:#fff;border:1px solid rgba(255,255,255,.5);border-radius:6px;padding:4px 8px;font-size:13px;cursor:pointer}
.head .x{border:0;font-size:20px;line-height:1;padding:2px 8px}
.who{font-size:12px;padding:4px 12px;background:#e8f1fb;color:#0b3d6e}
.who[hidden]{display:none}
.status{font-size:13px;padding:6px 12px;background:#fff4d6;color:#5c4300;border-bottom:1px solid #f0dc9c}
.status[hidden]{display:none}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;background:#f7f9fb}
.msg{display:flex;flex-direction:column;gap:6px}
.msg.in{align-self:flex-end;align-items:flex-end;max-width:88%}
.msg.out{align-self:stretch;align-items:flex-start}
.msg.out .bubble{max-width:88%}
.bubble{padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}
.in .bubble{background:#0b5cad;color:#fff;border-bottom-right-radius:4px}
.out .bubble{background:#fff;border:1px solid #d7dee6;border-bottom-left-radius:4px}
.agent .bubble{background:#eef7ee;border-color:#b9dcb9}
.pending .bubble{opacity:.65}
.failed .bubble{background:#fbe9e9;color:#7a1010;border:1px solid #e3a1a1}
.note{align-self:center;font-size:12px;color:#43515f;background:#e9eef3;border-radius:999px;padding:4px 10px;text-align:center}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.card{background:#fff;border:1px solid #d7dee6;border-radius:10px;padding:10px 12px;width:100%;max-width:100%}
.card h3{font-size:14px;margin:0 0 2px}
.card .sub{font-size:12px;color:#56636f;margin:0 0 6px}
.card dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:6px 0}
.card dt{color:#56636f}
.card dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.tablewrap{overflow-x:auto;max-width:100%}
.card table{border-collapse:collapse;font-size:12px;margin:6px 0;min-width:100%}
.card th,.card td{border-bottom:1px solid #e3e8ee;padding:3px 6px;text-align:left;white-space:nowrap}
.card th{background:#f1f4f7}
.actions,.quick{display:flex;flex-wrap:wrap;gap:6px}
.actions button,.quick button{background:#fff;color:#0b5cad;border:1px solid #0b5cad;border-radius:999px;padding:5px 12px;font-size:13px;cursor:pointer}
.actions button.primary,.quick button.primary{background:#0b5cad;color:#fff}
.actions button.danger,.quick button.danger{border-color:#a3262a;color:#a3262a}
.files{display:flex;flex-direction:column;gap:4px}
.files a{color:#0b5cad;font-weight:600;display:inline-flex;align-items:center;gap:6px;overflow-wrap:anywhere}
.badge{font-size:10px;font-weight:700;color:#fff;background:#a3262a;border-radius:4px;padding:2px 5px;letter-spacing:.04em}
.typing{font-size:12px;color:#56636f;padding:0 12px 6px;min-height:18px;background:#f7f9fb}
.typing .dots::after{content:'';animation:dots 1.2s steps(4) infinite}
@keyframes dots{0%{content:''}25%{content:'.'}50%{content:'..'}75%{content:'...'}}
@media (prefers-reduced-motion:reduce){.typing .dots::after{animation:none;content:'...'}}
.alert{font-size:13px;color:#7a1010;background:#fbe9e9;padding:6px 12px}
.alert:empty{display:none}
form.compose{display:flex;gap:8px;padding:10px;border-top:1px solid #d7dee6;background:#fff;align-items:flex-end}
textarea{flex:1;resize:none;border:1px solid #aab6c3;border-radius:8px;padding:8px;font-size:14px;min-height:40px;max-height:120px;color:#1c2530}
.compose button,.signin button{background:#0b5cad;color:#fff;border:0;border-radius:8px;padding:9px 14px;font-size:14px;font-weight:600;cursor:pointer}
.compose button:disabled,.signin button:disabled{opacity:.6;cursor:default}
.count{font-size:11px;color:#7a1010;padding:0 12px}
.count:empty{display:none}
.signin{padding:12px;border-top:1px solid #d7dee6;background:#fff;display:flex;flex-direction:column;gap:8px}
.signin[hidden]{display:none}
.signin h3{margin:0;font-size:15px}
.signin p{margin:0;font-size:12px;color:#56636f}
.signin label{display:flex;flex-direction:column;font-size:13px;gap:2px}
.signin input{border:1px solid #aab6c3;border-radius:8px;padding:8px;font-size:15px;color:#1c2530}
.signin .row{display:flex;gap:8px}
.signin .secondary{background:#fff;color:#0b5cad;border:1px solid #0b5cad}
.menu{display:flex;gap:6px;padding:6px 12px;border-top:1px solid #e3e8ee;background:#fff;flex-wrap:wrap}
.menu button{background:transparent;border:0;color:#0b5cad;font-size:12px;text-decoration:underline;cursor:pointer;padding:2px}
@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100%;max-height:100%;border-radius:0;border:0}.launcher{right:12px;bottom:12px}}
`;

  // ---- the widget's DOM -------------------------------------------------------------------------

  const host = el('div', { 'data-support-chat': '' });
  const root = host.attachShadow({ mode: 'open' });
  root.appendChild(el('style', { text: CSS }));

  const launcher = el('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'support-chat-panel', text: t('launcher') });
  const closeButton = el('button', { class: 'x', type: 'button', 'aria-label': t('close'), text: '×' });
  const signInButton = el('button', { type: 'button', text: t('signIn') });
  const signOutButton = el('button', { type: 'button', text: t('signOut'), hidden: true });
  const titleId = 'support-chat-title';
  const head = el('div', { class: 'head' }, [el('h2', { id: titleId, text: data.title || t('title') }), signInButton, signOutButton, closeButton]);
  const who = el('div', { class: 'who', hidden: true });
  const status = el('div', { class: 'status', role: 'status', hidden: true });
  const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': t('log'), tabindex: '0' });
  const typing = el('div', { class: 'typing', 'aria-live': 'polite' });
  const alertBox = el('div', { class: 'alert', role: 'alert' });

  const accountInput = el('input', { name: 'accountNumber', inputmode: 'numeric', autocomplete: 'off', required: true, maxlength: '20', pattern: '[0-9 -]*' });
  const pinInput = el('input', { name: 'pin', type: 'password', inputmode: 'numeric', autocomplete: 'off', required: true, maxlength: '12' });
  const signInError = el('div', { class: 'alert', role: 'alert' });
  const signInSubmit = el('button', { type: 'submit', text: t('signInSubmit') });
  const signInCancel = el('button', { type: 'button', class: 'secondary', text: t('cancel') });
  const signInForm = el('form', { class: 'signin', hidden: true, 'aria-labelledby': 'support-chat-signin-title', novalidate: true }, [
    el('h3', { id: 'support-chat-signin-title', text: t('signInTitle') }),
    el('p', { text: t('signInHelp') }),
    el('label', {}, [el('span', { text: t('accountNumber') }), accountInput]),
    el('label', {}, [el('span', { text: t('pin') }), pinInput]),
    signInError,
    el('div', { class: 'row' }, [signInSubmit, signInCancel]),
  ]);

  const input = el('textarea', { rows: '1', 'aria-label': t('inputLabel'), placeholder: t('placeholder') });
  const count = el('div', { class: 'count', 'aria-live': 'polite' });
  const sendButton = el('button', { type: 'submit', text: t('send') });
  const compose = el('form', { class: 'compose' }, [input, sendButton]);
  const menu = el('div', { class: 'menu' }, [
    el('button', { type: 'button', text: t('transcriptText'), onclick: () => downloadTranscript('text') }),
    el('button', { type: 'button', text: t('transcriptPdf'), onclick: () => downloadTranscript('pdf') }),
  ]);

  const panel = el('section', { class: 'panel', id: 'support-chat-panel', hidden: true, 'aria-labelledby': titleId }, [
    head,
    who,
    status,
    log,
    typing,
    alertBox,
    signInForm,
    count,
    compose,
    menu,
  ]);
  root.appendChild(launcher);
  root.appendChild(panel);

  // ---- opening and closing ----------------------------------------------------------------------

  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute('aria-expanded', 'true');
    scrollDown();
    input.focus();
    start();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  launcher.addEventListener('click', open);
  closeButton.addEventListener('click', close);
  panel.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    if (!signInForm.hidden) hideSignIn();
    else close();
  });

  // ---- HTTP ------------------------------------------------------------------------------------

  async function api(path, init) {
    const headers = Object.assign({}, init?.headers || {});
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    if (init && init.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(apiBase + path, Object.assign({}, init, { headers }));
    let body = null;
    if ((response.headers.get('content-type') || '').includes('application/json')) body = await response.json();
    return { status: response.status, ok: response.ok, body, response };
  }

  function start() {
    if (!state.started) {
      state.started = startSession().catch((error) => {
        state.started = null;
        if (error?.retryAfterSeconds) {
          // Limited (too many chats from this network): say so, and try again when the server says to.
          setStatus(error.message);
          clearTimeout(state.reconnectTimer);
          state.reconnectTimer = setTimeout(start, error.retryAfterSeconds * 1000);
          return;
        }
        setStatus(t('reconnecting'));
        scheduleReconnect();
      });
    }
    return state.started;
  }

  async function startSession() {
    const saved = store.load();
    if (saved?.token) state.token = saved.token;
    const hadToken = Boolean(state.token);
    setStatus(t('connecting'));
    const body = data.portalToken ? { portalToken: data.portalToken } : {};
    const result = await api('/chat/sessions', { method: 'POST', body: JSON.stringify(body) });
    if (result.status === 429) {
      const limited = new Error(result.body?.error?.message || t('error'));
      limited.retryAfterSeconds = Math.max(1, Number(result.response.headers.get('retry-after')) || 60);
      throw limited;
    }
    if (!result.ok) throw new Error(`session ${result.status}`);
    if (hadToken && result.status === 201) {
      // The stored session had ended: this is a new conversation.
      resetLog();
      note(t('sessionEnded'));
    }
    adoptSession(result.body);
    welcomeIfEmpty(result.body);
    connect();
  }

  function welcomeIfEmpty(session) {
    if (session.lastSeq === 0 && !log.querySelector('.msg, .note')) note(t('welcome'));
  }

  function adoptSession(session) {
    state.token = session.token;
    store.save();
    state.signedIn = session.signedIn;
    who.hidden = !session.signedIn;
    who.textContent = session.signedIn ? t('signedInAs', { label: session.signedIn.label }) : '';
    signInButton.hidden = Boolean(session.signedIn);
    signOutButton.hidden = !session.signedIn;
    if (session.notice) showAlert(session.notice);
  }

  // ---- the live connection: WebSocket, else server-sent events ---------------------------------

  function connect() {
    clearTimeout(state.reconnectTimer);
    disconnect();
    if (!navigator.onLine) {
      setStatus(t('offline'));
      return;
    }
    // A socket that never worked on this page (a proxy may block them) gives way to the event stream at
    // once; one that worked gets three tries before the stream takes over.
    const socketsUsable = state.socketWorked ? state.socketFailures < 3 : state.socketFailures < 1;
    if (typeof WebSocket === 'function' && socketsUsable && data.transport !== 'sse') connectSocket();
    else connectStream();
  }

  function disconnect() {
    if (state.socket) {
      const socket = state.socket;
      state.socket = null;
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      try {
        socket.close(1000, 'reconnecting');
      } catch {
        // Already closed.
      }
    }
    if (state.stream) {
      state.stream.abort();
      state.stream = null;
    }
    state.live = false;
  }

  function connectSocket() {
    const url = `${apiBase.replace(/^http/, 'ws')}/chat/ws`;
    const socket = new WebSocket(url);
    state.socket = socket;
    state.transport = 'ws';
    let ready = false;
    socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', token: state.token, after: state.lastSeq }));
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === 'ready') {
        ready = true;
        state.socketFailures = 0;
        state.socketWorked = true;
      }
      onEvent(message);
    };
    socket.onclose = (event) => {
      if (state.socket !== socket) return;
      state.socket = null;
      state.live = false;
      if (!ready) state.socketFailures += 1;
      // Straight to the event stream when sockets never worked here; no need to wait.
      if (!ready && !state.socketWorked && event.code !== 4001) {
        connect();
        return;
      }
      onConnectionLost(event.code);
    };
  }

  function connectStream() {
    const controller = new AbortController();
    state.stream = controller;
    state.transport = 'sse';
    const headers = { Authorization: `Bearer ${state.token}`, Accept: 'text/event-stream' };
    if (state.lastSeq) headers['Last-Event-ID'] = String(state.lastSeq);
    fetch(`${apiBase}/chat/events`, { headers, signal: controller.signal, cache: 'no-store' })
      .then(async (response) => {
        if (response.status === 401) return onConnectionLost(4001);
        if (!response.ok || !response.body) throw new Error(`events ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut = buffer.indexOf('\n\n');
          while (cut >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const dataLines = block.split('\n').filter((line) => line.startsWith('data:'));
            if (dataLines.length) {
              try {
                onEvent(JSON.parse(dataLines.map((line) => line.slice(5).trim()).join('\n')));
              } catch {
                // A broken event is skipped; the next catch-up fills any gap.
              }
            }
            cut = buffer.indexOf('\n\n');
          }
        }
        throw new Error('stream ended');
      })
      .catch(() => {
        if (state.stream !== controller || controller.signal.aborted) return;
        state.stream = null;
        onConnectionLost(0);
      });
  }

  function onConnectionLost(code) {
    state.live = false;
    if (code === 4001) {
      // The server ended this socket's session (timed out, signed out, replaced): asking for the session
      // again resumes it if it still stands, or starts a new conversation.
      state.started = null;
      start();
      return;
    }
    setStatus(navigator.onLine ? t('reconnecting') : t('offline'));
    scheduleReconnect();
  }

  function scheduleReconnect() {
    clearTimeout(state.reconnectTimer);
    state.attempts += 1;
    const delay = Math.min(15000, 400 * 2 ** Math.min(state.attempts, 6)) * (0.75 + Math.random() * 0.5);
    state.reconnectTimer = setTimeout(() => (state.token ? connect() : start()), delay);
  }

  window.addEventListener('online', () => {
    state.attempts = 0;
    if (state.token) connect();
    else start();
  });
  window.addEventListener('offline', () => {
    disconnect();
    setStatus(t('offline'));
  });

  function onEvent(event) {
    switch (event.type) {
      case 'ready':
        state.live = true;
        state.attempts = 0;
        if (state.wasLive && !state.quiet) flash(t('reconnected'));
        else setStatus(null);
        state.wasLive = true;
        state.quiet = false;
        if (event.session) {
          state.signedIn = event.session.signedIn;
          who.hidden = !event.session.signedIn;
          who.textContent = event.session.signedIn ? t('signedInAs', { label: event.session.signedIn.label }) : '';
          signInButton.hidden = Boolean(event.session.signedIn);
          signOutButton.hidden = !event.session.signedIn;
        }
        flushOutbox();
        break;
      case 'message':
        receive([event.message]);
        break;
      case 'typing':
        setTyping(event.on);
        break;
      case 'error':
        showAlert(event.message || t('error'));
        if (event.code === 'rate_limited' || event.code === 'payload_too_large') failPending();
        break;
      case 'session_ended':
        break;
      default:
        break;
    }
  }

  // ---- messages ---------------------------------------------------------------------------------

  /** Renders messages in seq order, each once; a gap is filled from the server first. */
  function receive(messages) {
    const sorted = messages.slice().sort((a, b) => a.seq - b.seq);
    for (let i = 0; i < sorted.length; i++) {
      const message = sorted[i];
      if (message.seq <= state.lastSeq) continue;
      if (message.seq > state.lastSeq + 1) {
        catchUp();
        return;
      }
      render(message);
      state.lastSeq = message.seq;
    }
  }

  function catchUp() {
    if (state.catchingUp) return state.catchingUp;
    state.catchingUp = (async () => {
      try {
        for (;;) {
          const result = await api(`/chat/messages?after=${state.lastSeq}`, { method: 'GET' });
          if (!result.ok) return;
          receive(result.body.messages);
          if (!result.body.more) return;
        }
      } finally {
        state.catchingUp = null;
      }
    })();
    return state.catchingUp;
  }

  function speakerOf(message) {
    if (message.author === 'user') return t('you');
    if (message.author === 'agent') return t('agent');
    if (message.author === 'system') return t('notice');
    return t('assistant');
  }

  function render(message) {
    if (message.direction === 'in') {
      const pending = state.pending.shift();
      if (pending) pending.node.remove();
      const label = message.action !== undefined ? state.labels.get(message.action) || message.action : message.text;
      log.appendChild(bubble('in', message.action !== undefined ? `${t('youPressed')}: ${label}` : label, t('you')));
      scrollDown();
      return;
    }
    setTyping(false);
    for (const old of log.querySelectorAll('.quick')) old.remove();
    if (message.author === 'agent' && !state.agentPresent) {
      state.agentPresent = true;
      note(t('agentJoined'));
    }
    if (message.event === 'agent_joined' && !state.agentPresent) {
      state.agentPresent = true;
      note(t('agentJoined'));
    }
    if (message.event === 'agent_left') {
      state.agentPresent = false;
      note(t('agentLeft'));
    }
    if (message.handoff && message.handoff.status === 'active' && !state.agentPresent) {
      state.agentPresent = true;
      note(t('agentJoined'));
    }
    const wrapper = el('div', { class: `msg out ${message.author}` });
    if (message.text) wrapper.appendChild(bubbleBody(message.text, speakerOf(message)));
    for (const card of message.cards || []) wrapper.appendChild(renderCard(card));
    if (message.files?.length) {
      const files = el('div', { class: 'files' });
      for (const file of message.files) files.appendChild(renderFile(file, message.seq));
      wrapper.appendChild(files);
    }
    if (message.quickReplies?.length) {
      const quick = el('div', { class: 'quick', role: 'group', 'aria-label': t('assistant') });
      for (const action of message.quickReplies) quick.appendChild(actionButton(action));
      wrapper.appendChild(quick);
    }
    if (wrapper.childNodes.length) log.appendChild(wrapper);
    if (message.handoff && message.handoff.status === 'waiting') note(t('agentWaiting'));
    scrollDown();
  }

  function bubble(direction, text, speaker) {
    const wrapper = el('div', { class: `msg ${direction}` });
    wrapper.appendChild(bubbleBody(text, speaker));
    return wrapper;
  }

  function bubbleBody(text, speaker) {
    // The speaker is read out by screen readers; the bubble's side shows it to everyone else.
    return el('div', { class: 'bubble' }, [el('span', { class: 'sr', text: `${speaker}: ` }), document.createTextNode(text)]);
  }

  function note(text) {
    log.appendChild(el('div', { class: 'note', text }));
    scrollDown();
  }

  function renderCard(card) {
    const node = el('div', { class: 'card' });
    node.appendChild(el('h3', { text: card.title }));
    if (card.subtitle) node.appendChild(el('p', { class: 'sub', text: card.subtitle }));
    if (card.fields?.length) {
      const list = el('dl');
      for (const field of card.fields) {
        list.appendChild(el('dt', { text: field.label }));
        list.appendChild(el('dd', { text: field.value }));
      }
      node.appendChild(list);
    }
    if (card.table) {
      const table = el('table');
      const headRow = el('tr');
      for (const column of card.table.columns) headRow.appendChild(el('th', { scope: 'col', text: column }));
      table.appendChild(el('thead', {}, [headRow]));
      const body = el('tbody');
      for (const row of card.table.rows) {
        const tr = el('tr');
        for (const cell of row) tr.appendChild(el('td', { text: cell }));
        body.appendChild(tr);
      }
      table.appendChild(body);
      node.appendChild(el('div', { class: 'tablewrap', tabindex: '0', role: 'region', 'aria-label': card.title }, [table]));
    }
    if (card.actions?.length) {
      const actions = el('div', { class: 'actions' });
      for (const action of card.actions) actions.appendChild(actionButton(action));
      node.appendChild(actions);
    }
    return node;
  }

  function actionButton(action) {
    state.labels.set(action.value, action.label);
    return el('button', {
      type: 'button',
      class: action.style || '',
      text: action.label,
      onclick: () => press(action),
    });
  }

  function renderFile(file, seq) {
    const size = file.bytes < 1024 ? `${file.bytes} B` : `${Math.round(file.bytes / 1024)} KB`;
    const link = el('a', { href: apiBase + file.url, download: file.filename, 'data-seq': String(seq), 'data-file-id': file.id });
    const type = file.mediaType === 'text/csv' ? 'CSV' : 'PDF';
    link.appendChild(el('span', { class: 'badge', 'aria-hidden': 'true', text: type }));
    link.appendChild(el('span', { text: file.filename }));
    link.appendChild(el('span', { class: 'sr', text: ` (${t('download', { name: file.filename })})` }));
    link.appendChild(document.createTextNode(` (${size})`));
    link.addEventListener('click', (event) => {
      event.preventDefault();
      downloadFile(link, file);
    });
    return link;
  }

  /** Files need the session's token, which a plain link cannot carry: fetch, then save the bytes. */
  async function downloadFile(link, file) {
    try {
      let response = await fetch(link.href, { headers: { Authorization: `Bearer ${state.token}` } });
      if (response.status === 403) {
        // The link expired: the message is read again for a fresh one.
        const seq = Number(link.getAttribute('data-seq'));
        const result = await api(`/chat/messages?after=${seq - 1}`, { method: 'GET' });
        const fresh = result.ok && result.body.messages[0] && (result.body.messages[0].files || []).find((f) => f.id === file.id);
        if (fresh) {
          link.href = apiBase + fresh.url;
          response = await fetch(link.href, { headers: { Authorization: `Bearer ${state.token}` } });
        }
      }
      if (!response.ok) throw new Error(`download ${response.status}`);
      saveBlob(await response.blob(), file.filename);
    } catch {
      showAlert(t('downloadFailed'));
    }
  }

  async function downloadTranscript(format) {
    try {
      await start();
      const query = `format=${format}${timeZone ? `&timeZone=${encodeURIComponent(timeZone)}` : ''}`;
      const response = await fetch(`${apiBase}/chat/transcript?${query}`, { headers: { Authorization: `Bearer ${state.token}` } });
      if (!response.ok) throw new Error(`transcript ${response.status}`);
      const disposition = response.headers.get('content-disposition') || '';
      const match = /filename="([^"]+)"/.exec(disposition);
      saveBlob(await response.blob(), match ? match[1] : `chat-transcript.${format === 'pdf' ? 'pdf' : 'txt'}`);
    } catch {
      showAlert(t('downloadFailed'));
    }
  }

  function saveBlob(blob, filename) {
    const url = URL.createObjectURL(blob);
    const anchor = el('a', { href: url, download: filename });
    root.appendChild(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  }

  // ---- sending ----------------------------------------------------------------------------------

  const outbox = [];

  function press(action) {
    if (action.value === 'sign_in') {
      showSignIn();
      return;
    }
    send({ action: action.value }, `${t('youPressed')}: ${action.label}`);
  }

  function send(payload, shown) {
    clearAlert();
    const node = bubble('in', shown, t('you'));
    node.classList.add('pending');
    log.appendChild(node);
    scrollDown();
    const item = { payload, node };
    state.pending.push(item);
    outbox.push(item);
    flushOutbox();
  }

  async function flushOutbox() {
    while (outbox.length) {
      const item = outbox[0];
      const body = Object.assign({}, item.payload, timeZone ? { timeZone } : {});
      if (state.socket && state.live && state.socket.readyState === 1) {
        const frame = item.payload.action !== undefined ? { type: 'action', value: item.payload.action } : { type: 'message', text: item.payload.text };
        if (timeZone) frame.timeZone = timeZone;
        state.socket.send(JSON.stringify(frame));
        outbox.shift();
        continue;
      }
      if (!state.token) return;
      try {
        const result = await api('/chat/messages', { method: 'POST', body: JSON.stringify(body) });
        outbox.shift();
        if (result.ok) receive(result.body.messages);
        else {
          showAlert(result.body?.error?.message || t('error'));
          markFailed(item);
        }
      } catch {
        // Offline: it stays in the outbox and goes when the connection is back.
        return;
      }
    }
  }

  function failPending() {
    const item = state.pending[state.pending.length - 1];
    if (item) markFailed(item);
  }

  function markFailed(item) {
    const index = state.pending.indexOf(item);
    if (index >= 0) state.pending.splice(index, 1);
    item.node.classList.remove('pending');
    item.node.classList.add('failed');
    item.node.appendChild(el('span', { class: 'sr', text: t('notSent') }));
  }

  compose.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > MAX_BYTES) {
      showAlert(t('tooLong', { bytes }));
      return;
    }
    input.value = '';
    updateCount();
    start().then(() => send({ text }, text));
  });

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      compose.requestSubmit();
    }
  });

  function updateCount() {
    const bytes = new TextEncoder().encode(input.value).length;
    count.textContent = bytes > MAX_BYTES - 500 ? t('bytesLeft', { left: MAX_BYTES - bytes }) : '';
    input.style.height = 'auto';
    input.style.height = `${Math.min(120, input.scrollHeight)}px`;
  }
  input.addEventListener('input', updateCount);

  // ---- sign-in ----------------------------------------------------------------------------------

  function showSignIn() {
    signInForm.hidden = false;
    signInError.textContent = '';
    accountInput.focus();
  }

  function hideSignIn() {
    signInForm.hidden = true;
    pinInput.value = '';
    input.focus();
  }

  signInButton.addEventListener('click', () => {
    if (panel.hidden) open();
    showSignIn();
  });
  signInCancel.addEventListener('click', hideSignIn);

  signInForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    signInError.textContent = '';
    signInSubmit.disabled = true;
    signInSubmit.textContent = t('signingIn');
    try {
      await start();
      // The server closes the old token's socket at sign-in: it is let go first, quietly.
      disconnect();
      const result = await api('/chat/sign-in', {
        method: 'POST',
        body: JSON.stringify({ accountNumber: accountInput.value.trim(), pin: pinInput.value.trim() }),
      });
      if (!result.ok) {
        signInError.textContent = result.body?.error?.message || t('error');
        pinInput.value = '';
        pinInput.focus();
        return;
      }
      adoptSession(result.body);
      accountInput.value = '';
      hideSignIn();
    } catch {
      signInError.textContent = t('error');
    } finally {
      signInSubmit.disabled = false;
      signInSubmit.textContent = t('signInSubmit');
      // With the new token after a sign-in, or the same one after a refusal.
      state.quiet = true;
      if (state.token) connect();
    }
  });

  signOutButton.addEventListener('click', async () => {
    try {
      await api('/chat/sign-out', { method: 'POST' });
    } catch {
      // Ending it locally is enough: the token is forgotten.
    }
    disconnect();
    state.token = null;
    store.clear();
    resetLog();
    state.started = null;
    adoptSession({ token: null, signedIn: null });
    store.clear();
    start();
  });

  // ---- small things -----------------------------------------------------------------------------

  function resetLog() {
    log.textContent = '';
    state.lastSeq = 0;
    state.pending = [];
    state.agentPresent = false;
    state.labels.clear();
  }

  function setTyping(on) {
    typing.textContent = '';
    if (on) typing.appendChild(el('span', { class: 'dots', text: t('typing') }));
  }

  function setStatus(text) {
    status.hidden = !text;
    status.textContent = text || '';
  }

  let flashTimer = null;
  function flash(text) {
    setStatus(text);
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => {
      if (state.live) setStatus(null);
    }, 2500);
  }

  function showAlert(text) {
    alertBox.textContent = text;
  }

  function clearAlert() {
    alertBox.textContent = '';
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function mount() {
    document.body.appendChild(host);
    if (data.open === 'true' || store.load()) {
      // A visitor who was chatting on the previous page finds the chat as they left it.
      if (data.open === 'true') open();
      else start();
    }
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  // For tests and the portal page: open the chat from outside.
  window.SupportChat = {
    open,
    close,
    get transport() {
      return state.live ? state.transport : 'none';
    },
  };
})();
