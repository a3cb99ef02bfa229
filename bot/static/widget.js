// IEX Support Assistant chat widget. Embed it on any page with
//   <script src="http://host:8080/widget.js" data-server="http://host:5005" data-title="IEX Support"
//           data-max-length="5000" data-open="false" data-lang="da"></script>
// It adds a launcher button and a chat window inside a Shadow DOM (the host page's CSS can't reach
// it) and talks to the assistant's chat channel (bot/channel.py), under a conversation id the
// server issued. Every text from the customer or the assistant goes into the
// page as text nodes only; links are made only from http/https URLs.
// It speaks the page's language (data-lang, else the page's <html lang>) if it knows it, else
// English, and tells the server that language with a conversation's first message.
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script || window.iexSupportWidget) return; // embedded twice: keep the first one

  const CHANNEL_PATH = "/webhooks/chat"; // + "/conversations" for a new id, + "/webhook" to talk
  const ANSWER_TIMEOUT_MS = 90000;
  const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000]; // the last one repeats until it works
  const SERVER_ERROR_ATTEMPTS = 3; // a message the server keeps failing on is marked failed
  const KEPT_MESSAGES = 300;

  // ---- The widget's own words, in each language it speaks -------------------------------------

  const TEXTS = {
    en: {
      locale: undefined, // dates and numbers as the customer's browser writes them
      intro: "Hi, I'm the IEX support assistant. Tell me what went wrong, for example " +
        "\u201corder 10023 was not transferred to e-conomic\u201d, and I'll help you find the " +
        "cause or write your case up for the support team.",
      subtitle: "Automated assistant",
      startOver: "Start over",
      closeChat: "Close chat",
      openChat: "Chat with us",
      tryNow: "Try now",
      conversation: "Conversation",
      yourMessage: "Your message",
      placeholder: "Describe your problem\u2026",
      sendMessage: "Send message",
      composerHint: "Enter sends \u00b7 Shift+Enter adds a line",
      helpArticles: "Help articles",
      caseBeforeSending: "Your case, before it is sent",
      yourCase: "Your case",
      ticketCreated: "Ticket created",
      answerBy: (due) => "Expect an answer by " + due,
      suggestedAnswers: "Suggested answers",
      sending: "Sending\u2026",
      waitingOffline: "Not sent yet \u00b7 will be sent when the connection is back",
      waiting: "Waiting to be sent",
      notSent: "Not sent",
      retry: "Retry",
      retryMessage: "Retry sending this message",
      youSaid: "You said: ",
      typing: (title) => title + " is typing\u2026",
      expired: "the conversation has expired",
      tooLongForChat: "the message is too long for the chat",
      tooManyMessages: "too many messages at once",
      rateLimited: "You're sending messages faster than the assistant can answer. It will be " +
        "sent shortly.",
      serverError: (status) => "the assistant answered with an error (HTTP " + status + ")",
      unreadable: (status) => "the assistant couldn't read it (HTTP " + status + ")",
      unreachable: "the assistant can't be reached",
      tookTooLong: "the assistant took too long to answer",
      cutOff: "the answer was cut off",
      serverTrouble: "The assistant has a problem right now. ",
      noConnection: "We can't reach the assistant right now. ",
      savedForLater: "Your message is saved and will be sent automatically as soon as the " +
        "connection is back.",
      keepTyping: "You can keep typing; your messages will be sent as soon as the connection is " +
        "back.",
      retryIn: (seconds) => "Trying again in " + seconds + " s",
      retrying: "Trying again\u2026",
      startedOver: "Started a new conversation.",
      tooLong: (length, limit) => "Too long: " + length + " of at most " + limit + " characters.",
      count: (length, limit) => length + " / " + limit + " characters",
      typeFirst: "Type a message first.",
      notSentTooLong: (length, limit) => "Your message is " + length + " characters long; the " +
        "limit is " + limit + ". Please shorten it. It has not been sent.",
    },
    da: {
      locale: "da-DK",
      intro: "Hej, jeg er IEX' supportassistent. Fortæl mig, hvad der er gået galt, for eksempel " +
        "\u201eordre 10023 er ikke blevet overført til e-conomic\u201c, så hjælper jeg dig med at " +
        "finde årsagen eller skriver din sag sammen til supportteamet.",
      subtitle: "Automatisk assistent",
      startOver: "Start forfra",
      closeChat: "Luk chatten",
      openChat: "Chat med os",
      tryNow: "Prøv nu",
      conversation: "Samtale",
      yourMessage: "Din besked",
      placeholder: "Beskriv dit problem\u2026",
      sendMessage: "Send besked",
      composerHint: "Enter sender \u00b7 Shift+Enter giver en ny linje",
      helpArticles: "Hjælpeartikler",
      caseBeforeSending: "Din sag, før den bliver sendt",
      yourCase: "Din sag",
      ticketCreated: "Sagen er oprettet",
      answerBy: (due) => "Du kan forvente svar senest " + due,
      suggestedAnswers: "Forslag til svar",
      sending: "Sender\u2026",
      waitingOffline: "Ikke sendt endnu \u00b7 bliver sendt, når forbindelsen er tilbage",
      waiting: "Venter på at blive sendt",
      notSent: "Ikke sendt",
      retry: "Prøv igen",
      retryMessage: "Prøv at sende beskeden igen",
      youSaid: "Du skrev: ",
      typing: (title) => title + " skriver\u2026",
      expired: "samtalen er udløbet",
      tooLongForChat: "beskeden er for lang til chatten",
      tooManyMessages: "for mange beskeder på én gang",
      rateLimited: "Du sender beskeder hurtigere, end assistenten kan nå at svare. Din besked " +
        "bliver sendt om lidt.",
      serverError: (status) => "assistenten svarede med en fejl (HTTP " + status + ")",
      unreadable: (status) => "assistenten kunne ikke læse beskeden (HTTP " + status + ")",
      unreachable: "assistenten kan ikke nås",
      tookTooLong: "assistenten var for længe om at svare",
      cutOff: "svaret blev afbrudt undervejs",
      serverTrouble: "Assistenten har et problem lige nu. ",
      noConnection: "Vi kan ikke få forbindelse til assistenten lige nu. ",
      savedForLater: "Din besked er gemt og bliver sendt automatisk, så snart forbindelsen er " +
        "tilbage.",
      keepTyping: "Du kan bare skrive videre; dine beskeder bliver sendt, så snart forbindelsen " +
        "er tilbage.",
      retryIn: (seconds) => "Prøver igen om " + seconds + " s",
      retrying: "Prøver igen\u2026",
      startedOver: "Du har startet en ny samtale.",
      tooLong: (length, limit) => "For lang: " + length + " af højst " + limit + " tegn.",
      count: (length, limit) => length + " / " + limit + " tegn",
      typeFirst: "Skriv en besked først.",
      notSentTooLong: (length, limit) => "Din besked er på " + length + " tegn, og grænsen er " +
        limit + ". Gør den lidt kortere. Den er ikke blevet sendt.",
    },
  };

  /** The language asked for (data-lang, else the page's <html lang>) if the widget speaks it. */
  function widgetLanguage() {
    const asked = script.dataset.lang || document.documentElement.lang || "";
    const code = asked.trim().toLowerCase().slice(0, 2);
    return Object.prototype.hasOwnProperty.call(TEXTS, code) ? code : "en";
  }

  const language = widgetLanguage();
  const words = TEXTS[language];

  const config = {
    server: (script.dataset.server || "").replace(/\/+$/, ""),
    title: script.dataset.title || "IEX Support",
    maxLength: parseInt(script.dataset.maxLength, 10) || 5000,
    openAtStart: script.dataset.open === "true",
    assetBase: new URL(".", script.src).href,
  };
  if (!config.server) {
    console.error("IEX support widget: add data-server=\"<Rasa server URL>\" to its script tag.");
    return;
  }

  // ---- Conversation state, kept in the browser so it survives a reload -------------------------

  const storageKey = "iex-support-widget:" + config.server;
  const openKey = storageKey + ":open";
  const memoryStore = {};
  const store = {
    get(key) {
      try { return window.localStorage.getItem(key); } catch (error) { return memoryStore[key] || null; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, value); } catch (error) { memoryStore[key] = value; }
    },
  };

  // sessionId is the conversation id the server issued; null until the first message asks for one.
  // languageSentTo is the id the page's language was told to (with its first message), if any.
  function loadConversation() {
    try {
      const saved = JSON.parse(store.get(storageKey));
      if (saved && Array.isArray(saved.messages)) {
        if (typeof saved.sessionId !== "string") saved.sessionId = null;
        // Saved before the widget told the server its language: that conversation has begun.
        const begun = saved.messages.some((message) => message.status === "sent");
        if (!("languageSentTo" in saved)) saved.languageSentTo = begun ? saved.sessionId : null;
        saved.nextId = Math.max(0, ...saved.messages.map((message) => message.id || 0)) + 1;
        return saved;
      }
    } catch (error) { /* unreadable: start afresh */ }
    return { sessionId: null, languageSentTo: null, messages: [], nextId: 1 };
  }

  const conversation = loadConversation();

  function saveConversation() {
    conversation.messages = conversation.messages.slice(-KEPT_MESSAGES);
    store.set(storageKey, JSON.stringify(conversation));
  }

  function addToConversation(message) {
    message.id = conversation.nextId++;
    message.time = new Date().toISOString();
    conversation.messages.push(message);
    saveConversation();
    return message;
  }

  // ---- Safe rendering helpers -------------------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function safeHttpUrl(candidate) {
    try {
      const url = new URL(String(candidate));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function trimUrl(candidate) {
    let url = candidate.replace(/[.,;:!?'"]+$/, "");
    // A closing parenthesis belongs to the URL only if the URL opened one: "(see https://x.dk)".
    while (url.endsWith(")") && url.split("(").length < url.split(")").length) {
      url = url.slice(0, -1).replace(/[.,;:!?'"]+$/, "");
    }
    return url;
  }

  function externalLink(href, text, className) {
    const link = element("a", className, text);
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }

  /** The http/https URLs in a text: where each starts, as written, and as a safe href. */
  function findUrls(text) {
    const found = [];
    for (const match of String(text).matchAll(/\bhttps?:\/\/[^\s<>"'`]+/gi)) {
      const written = trimUrl(match[0]);
      const href = safeHttpUrl(written);
      if (href) found.push({ index: match.index, written: written, href: href });
    }
    return found;
  }

  /** Append text to parent as text nodes, with every http/https URL as a link. */
  function appendLinkedText(parent, text) {
    text = String(text);
    let position = 0;
    for (const url of findUrls(text)) {
      parent.appendChild(document.createTextNode(text.slice(position, url.index)));
      parent.appendChild(externalLink(url.href, url.written));
      position = url.index + url.written.length;
    }
    parent.appendChild(document.createTextNode(text.slice(position)));
  }

  function formatNumber(number) {
    return number.toLocaleString(words.locale);
  }

  function formatTime(iso) {
    const time = new Date(iso);
    const clock = time.toLocaleTimeString(words.locale, { hour: "2-digit", minute: "2-digit" });
    if (time.toDateString() === new Date().toDateString()) return clock;
    return time.toLocaleDateString(words.locale, { day: "numeric", month: "short" }) + ", " + clock;
  }

  // ---- The widget's DOM, inside a shadow root ---------------------------------------------------

  // An element name of its own: host-page rules for div and the like don't match the host.
  const host = document.createElement("iex-support-widget");
  host.id = "iex-support-widget";
  const shadow = host.attachShadow({ mode: "open" });
  // Until widget.css has loaded the widget stays invisible rather than unstyled.
  shadow.appendChild(element("style", "", ":host { all: initial; } .widget { visibility: hidden; }"));
  const stylesheet = element("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = new URL("widget.css", config.assetBase).href;
  shadow.appendChild(stylesheet);

  const skeleton = document.createElement("template");
  // Static markup only; every text is set with textContent below: the widget's own words from
  // `words` (data-text names the entry, data-label the entry for aria-label).
  skeleton.innerHTML = `
    <div class="widget">
      <section class="window" id="chat-window" role="dialog" aria-labelledby="chat-title" hidden>
        <header class="header">
          <div class="header-text">
            <h2 id="chat-title" class="title"></h2>
            <p class="subtitle" data-text="subtitle"></p>
          </div>
          <button type="button" class="start-over" data-text="startOver"></button>
          <button type="button" class="close" data-label="closeChat">
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18"/></svg>
          </button>
        </header>
        <div class="banner" hidden>
          <p class="banner-text" role="alert"></p>
          <p class="banner-retry" aria-hidden="true"></p>
          <button type="button" class="retry-now" data-text="tryNow"></button>
        </div>
        <div class="conversation">
          <ol class="messages" role="log" aria-live="polite" aria-relevant="additions"
              data-label="conversation"></ol>
          <div class="typing" hidden aria-hidden="true"><span></span><span></span><span></span></div>
        </div>
        <p class="sr-only assistant-status" role="status"></p>
        <form class="composer" novalidate>
          <label class="sr-only" for="message" data-text="yourMessage"></label>
          <textarea id="message" rows="1" aria-describedby="composer-note composer-hint"></textarea>
          <button type="submit" class="send" data-label="sendMessage">
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 20l18-8L3 4v6l12 2-12 2z"/></svg>
          </button>
          <p id="composer-note" class="composer-note" aria-live="polite"></p>
          <p id="composer-hint" class="composer-hint" data-text="composerHint"></p>
        </form>
      </section>
      <button type="button" class="launcher" aria-controls="chat-window" aria-expanded="false">
        <svg class="icon-chat" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 5h16v11H9l-5 4z"/></svg>
        <svg class="icon-close" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18"/></svg>
        <span class="launcher-label"></span>
      </button>
    </div>`;
  shadow.appendChild(skeleton.content.cloneNode(true));
  for (const node of shadow.querySelectorAll("[data-text]")) {
    node.textContent = words[node.dataset.text];
  }
  for (const node of shadow.querySelectorAll("[data-label]")) {
    node.setAttribute("aria-label", words[node.dataset.label]);
  }

  const find = (selector) => shadow.querySelector(selector);
  const widget = find(".widget");
  const chatWindow = find(".window");
  const launcher = find(".launcher");
  const list = find(".messages");
  const scroller = find(".conversation");
  const typing = find(".typing");
  const assistantStatus = find(".assistant-status");
  const banner = find(".banner");
  const bannerText = find(".banner-text");
  const bannerRetry = find(".banner-retry");
  const form = find(".composer");
  const input = find("#message");
  const note = find(".composer-note");
  const launcherLabel = find(".launcher-label");
  find(".title").textContent = config.title;
  input.placeholder = words.placeholder;
  host.lang = language; // screen readers pronounce the widget in its own language
  widget.lang = language;

  // ---- Rendering messages -----------------------------------------------------------------------

  const rendered = new Map(); // message id -> <li>

  function articleCards(articles) {
    const cards = element("ul", "articles");
    cards.setAttribute("aria-label", words.helpArticles);
    for (const article of articles) {
      if (!article || typeof article !== "object") continue;
      const item = element("li");
      const href = safeHttpUrl(article.url);
      const card = href ? externalLink(href, "", "article-card") : element("div", "article-card");
      card.appendChild(element("span", "article-title", String(article.title || article.url || "")));
      if (href) {
        const address = new URL(href);
        card.appendChild(element("span", "article-url", address.host + address.pathname));
      }
      item.appendChild(card);
      cards.appendChild(item);
    }
    return cards;
  }

  function ticketSummary(fields) {
    const block = element("section", "ticket ticket-summary");
    block.setAttribute("aria-label", words.caseBeforeSending);
    block.appendChild(element("h3", "ticket-heading", words.yourCase));
    const details = element("dl");
    for (const field of fields) {
      if (!field || typeof field !== "object") continue;
      const row = element("div", "ticket-field");
      row.appendChild(element("dt", "", String(field.label || "")));
      const value = element("dd");
      appendLinkedText(value, field.value === undefined || field.value === null ? "" : field.value);
      row.appendChild(value);
      details.appendChild(row);
    }
    block.appendChild(details);
    return block;
  }

  function ticketReference(custom) {
    const block = element("section", "ticket ticket-reference");
    block.setAttribute("aria-label", words.ticketCreated);
    block.appendChild(element("h3", "ticket-heading", words.ticketCreated));
    block.appendChild(element("p", "reference", String(custom.reference || "")));
    if (custom.due) {
      block.appendChild(element("p", "due", words.answerBy(String(custom.due))));
    }
    return block;
  }

  function customContent(custom) {
    if (!custom || typeof custom !== "object") return null;
    const { type } = custom;
    if (type === "articles" && Array.isArray(custom.articles)) return articleCards(custom.articles);
    if (type === "ticket_summary" && Array.isArray(custom.fields)) return ticketSummary(custom.fields);
    if (type === "ticket_reference") return ticketReference(custom);
    if (typeof custom.text === "string") {
      const bubble = element("div", "bubble");
      appendLinkedText(bubble, custom.text);
      return bubble;
    }
    return null;
  }

  function quickReplies(message) {
    const group = element("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", words.suggestedAnswers);
    for (const button of message.buttons) {
      const choice = element("button", "quick-reply", String(button.title || button.payload || ""));
      choice.type = "button";
      choice.addEventListener("click", () => {
        send(String(button.title || button.payload), String(button.payload || button.title));
        input.focus();
      });
      group.appendChild(choice);
    }
    return group;
  }

  function deliveryNote(message) {
    const status = element("span", "delivery");
    if (message.status === "pending") {
      status.textContent = message.id === sendingId ? words.sending
        : offline ? words.waitingOffline
        : words.waiting;
    } else if (message.status === "failed") {
      status.textContent = words.notSent + (message.failure ? ": " + message.failure : "") + " ";
      const retry = element("button", "retry-message", words.retry);
      retry.type = "button";
      retry.setAttribute("aria-label", words.retryMessage);
      retry.addEventListener("click", () => retryFailed(message));
      status.appendChild(retry);
    }
    return status;
  }

  function metaLine(message) {
    const meta = element("div", "meta");
    if (message.time) {
      const time = element("time", "", formatTime(message.time));
      time.dateTime = message.time;
      meta.appendChild(time);
    }
    if (message.from === "customer") meta.appendChild(deliveryNote(message));
    return meta;
  }

  function messageItem(message, withQuickReplies) {
    const item = element("li", "message " + message.from);
    if (message.status) item.classList.add(message.status);
    const speaker = message.from === "customer" ? words.youSaid : config.title + ": ";
    item.appendChild(element("span", "sr-only", speaker));
    if (message.text) {
      const bubble = element("div", "bubble");
      appendLinkedText(bubble, message.text);
      item.appendChild(bubble);
    }
    const image = message.image && safeHttpUrl(message.image);
    if (image) {
      const picture = element("img", "picture");
      picture.src = image;
      picture.alt = "";
      item.appendChild(picture);
    }
    const extra = customContent(message.custom);
    if (extra) item.appendChild(extra);
    if (withQuickReplies && Array.isArray(message.buttons) && message.buttons.length) {
      item.appendChild(quickReplies(message));
    }
    item.appendChild(metaLine(message));
    return item;
  }

  let followingEnd = true; // false while the customer scrolls back to read

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
    followingEnd = true;
  }

  let lastScrollTop = 0;
  scroller.addEventListener("scroll", () => {
    // Only moving up unfollows: a scroll event that arrives after the window shrank (the banner
    // appeared) is no reason to stop following.
    if (scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40) followingEnd = true;
    else if (scroller.scrollTop < lastScrollTop) followingEnd = false;
    lastScrollTop = scroller.scrollTop;
  });
  // The window resizes (a phone turns, the banner shows) or a message grows (a delivery note):
  // stay at the end unless the customer scrolled back.
  const endKeeper = new ResizeObserver(() => {
    if (followingEnd) scroller.scrollTop = scroller.scrollHeight;
  });
  endKeeper.observe(scroller);
  endKeeper.observe(list);

  let lastShown = null; // { from, minute, item } of the newest message in the list

  function appendMessage(message, withQuickReplies) {
    const item = messageItem(message, withQuickReplies);
    const minute = message.time ? formatTime(message.time) : "";
    // Several messages from one side within a minute carry one timestamp, on the last of them.
    if (lastShown && minute && lastShown.from === message.from && lastShown.minute === minute) {
      const earlierTime = lastShown.item.querySelector(".meta time");
      if (earlierTime) earlierTime.hidden = true;
    }
    lastShown = { from: message.from, minute: minute, item: item };
    rendered.set(message.id, item);
    list.appendChild(item);
    scrollToEnd();
  }

  function refreshDelivery(message) {
    const item = rendered.get(message.id);
    if (!item) return;
    item.classList.remove("pending", "failed", "sent");
    if (message.status) item.classList.add(message.status);
    item.querySelector(".delivery").replaceWith(deliveryNote(message));
  }

  function refreshAllDeliveries() {
    for (const message of conversation.messages) {
      if (message.from === "customer" && message.status !== "sent") refreshDelivery(message);
    }
  }

  function removeQuickReplies() {
    for (const group of list.querySelectorAll(".quick-replies")) group.remove();
  }

  function renderConversation() {
    list.replaceChildren();
    rendered.clear();
    lastShown = null;
    list.appendChild(messageItem({ from: "bot", text: words.intro }, false));
    // Quick replies only make sense for the answers after the customer's last message.
    let lastCustomer = -1;
    conversation.messages.forEach((message, index) => {
      if (message.from === "customer") lastCustomer = index;
    });
    conversation.messages.forEach((message, index) => appendMessage(message, index > lastCustomer));
  }

  // ---- Talking to the chat channel, with a queue that survives outages -------------------------

  // kind: "unreachable" (retried until it works), "server" (retried a few times), "limited" (sent
  // again once the server's wait is over), "renew" (the conversation id is no longer accepted: get
  // a new one and send again), "refused" (not retried). notice: the server's own words, if any.
  class DeliveryError extends Error {
    constructor(kind, message, notice, retryAfterSeconds) {
      super(message);
      this.kind = kind;
      this.notice = notice || "";
      this.retryAfterSeconds = retryAfterSeconds || 0;
    }
  }

  /** Why the channel refused a message, in its words if it sent any, else in the widget's. */
  async function refusalOf(reply) {
    const body = await reply.json().catch(() => ({}));
    const notice = body && typeof body.message === "string" ? body.message : "";
    const status = reply.status;
    if (status === 401) return new DeliveryError("renew", words.expired, notice);
    if (status === 413) return new DeliveryError("refused", notice || words.tooLongForChat, notice);
    if (status === 429) {
      const wait = Number(body && body.retry_after) || Number(reply.headers.get("Retry-After")) || 15;
      return new DeliveryError("limited", words.tooManyMessages, notice || words.rateLimited, wait);
    }
    const temporary = status >= 500 || [408, 409, 425].includes(status);
    if (temporary) {
      return new DeliveryError("server", words.serverError(status), notice);
    }
    return new DeliveryError("refused", notice || words.unreadable(status), notice);
  }

  /** A new conversation id from the server, kept with the conversation. */
  async function renewSession() {
    let reply;
    try {
      reply = await fetch(config.server + CHANNEL_PATH + "/conversations", { method: "POST" });
    } catch (error) {
      throw new DeliveryError("unreachable", words.unreachable);
    }
    const body = reply.ok ? await reply.json().catch(() => null) : null;
    if (!body || typeof body.conversation_id !== "string") throw await refusalOf(reply);
    conversation.sessionId = body.conversation_id;
    saveConversation();
    return conversation.sessionId;
  }

  let offline = false;
  let sendingId = null;
  let retryTimer = null;
  let retryAttempt = 0;
  let countdownTimer = null;

  /** Send a message and return the answers; pageLanguage is given for a conversation's first. */
  async function askRasa(text, sessionId, pageLanguage) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ANSWER_TIMEOUT_MS);
    try {
      let reply;
      try {
        reply = await fetch(config.server + CHANNEL_PATH + "/webhook", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(Object.assign({ sender: sessionId, message: text },
            pageLanguage ? { language: pageLanguage } : {})),
          signal: controller.signal,
        });
      } catch (error) {
        // Rasa may have received it before the time ran out: resending is the customer's call.
        if (controller.signal.aborted) {
          throw new DeliveryError("refused", words.tookTooLong);
        }
        throw new DeliveryError("unreachable", words.unreachable);
      }
      if (!reply.ok) throw await refusalOf(reply);
      const answers = await reply.json().catch(() => {
        throw new DeliveryError("unreachable", words.cutOff);
      });
      return Array.isArray(answers) ? answers : [];
    } finally {
      clearTimeout(timer);
    }
  }

  async function isServerReachable() {
    try {
      // An opaque answer is enough: it proves the server listens, whatever its CORS settings.
      await fetch(config.server + "/", { mode: "no-cors", cache: "no-store" });
      return true;
    } catch (error) {
      return false;
    }
  }

  function setTyping(active) {
    typing.hidden = !active;
    assistantStatus.textContent = active ? words.typing(config.title) : "";
    if (active) scrollToEnd();
  }

  function showOffline(kind, notice) {
    offline = true;
    const waiting = conversation.messages.some((message) => message.status === "pending");
    // The server's own words when it gave any; the countdown below says when it is sent again.
    const text = notice || (kind === "server" ? words.serverTrouble : words.noConnection) +
      (waiting ? words.savedForLater : words.keepTyping);
    // An alert is read out whenever its text changes: not again at every retry.
    if (bannerText.textContent !== text) bannerText.textContent = text;
    banner.hidden = false;
    refreshAllDeliveries();
  }

  function showOnline() {
    if (!offline) return;
    offline = false;
    retryAttempt = 0;
    banner.hidden = true;
    bannerText.textContent = "";
    clearInterval(countdownTimer);
    refreshAllDeliveries();
  }

  /** Try again after a backoff delay, or after exactly the wait the server asked for. */
  function scheduleRetry(waitSeconds) {
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
    const base = RETRY_DELAYS_MS[Math.min(retryAttempt, RETRY_DELAYS_MS.length - 1)];
    const delay = waitSeconds ? waitSeconds * 1000
      : Math.round(base * (0.8 + Math.random() * 0.4)); // jitter: not all at once
    if (!waitSeconds) retryAttempt += 1;
    const due = Date.now() + delay;
    const showCountdown = () => {
      bannerRetry.textContent = words.retryIn(Math.max(1, Math.ceil((due - Date.now()) / 1000)));
    };
    showCountdown();
    countdownTimer = setInterval(showCountdown, 1000);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      clearInterval(countdownTimer);
      bannerRetry.textContent = words.retrying;
      pump();
    }, delay);
  }

  function retryNow() {
    if (!retryTimer) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    retryAttempt = Math.max(0, retryAttempt - 1);
    pump();
  }

  let pumping = false;

  /** Send the waiting messages one by one, in order; on an outage, wait and try again. */
  async function pump() {
    if (pumping || retryTimer) return;
    pumping = true;
    try {
      for (;;) {
        const next = conversation.messages.find((message) => message.status === "pending");
        if (!next) {
          if (offline && (await isServerReachable())) showOnline();
          else if (offline) scheduleRetry();
          return;
        }
        let sessionId = conversation.sessionId;
        sendingId = next.id;
        refreshDelivery(next);
        setTyping(true);
        try {
          if (!sessionId) sessionId = await renewSession();
          // The server follows the customer's own words after the first message.
          const firstMessage = conversation.languageSentTo !== sessionId;
          const answers = await askRasa(next.payload, sessionId, firstMessage ? language : null);
          if (sessionId !== conversation.sessionId) continue; // started over meanwhile
          conversation.languageSentTo = sessionId;
          next.status = "sent";
          delete next.serverErrors;
          delete next.renewed;
          showOnline();
          saveConversation();
          refreshDelivery(next);
          for (const answer of withoutRepeatedArticleLines(answers)) receive(answer);
        } catch (error) {
          if (!(error instanceof DeliveryError)) throw error;
          if (sessionId !== conversation.sessionId) continue;
          if (error.kind === "renew" && !next.renewed) {
            // An id from before the server issued them, or one signed with an old key.
            next.renewed = true;
            conversation.sessionId = null;
            saveConversation();
            continue;
          }
          if (error.kind === "limited") {
            saveConversation();
            showOffline(error.kind, error.notice);
            scheduleRetry(error.retryAfterSeconds);
            return;
          }
          if (error.kind === "server") next.serverErrors = (next.serverErrors || 0) + 1;
          const tryAgain = error.kind === "unreachable" ||
            (error.kind === "server" && next.serverErrors < SERVER_ERROR_ATTEMPTS);
          if (tryAgain) {
            saveConversation();
            showOffline(error.kind, error.notice);
            scheduleRetry();
            return;
          }
          next.status = "failed";
          next.failure = error.notice || error.message;
          saveConversation();
          refreshDelivery(next);
        } finally {
          sendingId = null;
          setTyping(false);
          refreshDelivery(next);
        }
      }
    } finally {
      pumping = false;
    }
  }

  /** Drop the text lines that only repeat an article the same answer shows as a card. */
  function withoutRepeatedArticleLines(answers) {
    const cardUrls = new Set();
    for (const answer of answers) {
      const custom = answer && answer.custom;
      if (custom && custom.type === "articles" && Array.isArray(custom.articles)) {
        for (const article of custom.articles) cardUrls.add(safeHttpUrl(article && article.url));
      }
    }
    if (!cardUrls.size) return answers;
    return answers.map((answer) => {
      if (!answer || typeof answer.text !== "string") return answer;
      const lines = answer.text.split("\n");
      const kept = lines.filter((line) => !findUrls(line).some((url) => cardUrls.has(url.href)));
      if (kept.length === lines.length) return answer;
      return Object.assign({}, answer, { text: kept.join("\n").trim() });
    });
  }

  function receive(answer) {
    if (!answer || typeof answer !== "object") return;
    const message = { from: "bot" };
    if (typeof answer.text === "string") message.text = answer.text;
    if (Array.isArray(answer.buttons)) message.buttons = answer.buttons;
    if (answer.custom && typeof answer.custom === "object") message.custom = answer.custom;
    if (typeof answer.image === "string") message.image = answer.image;
    if (!message.text && !message.custom && !message.image) return;
    appendMessage(addToConversation(message), true);
  }

  /** Show the customer's message at once and queue it; `payload` is what Rasa receives. */
  function send(shownText, payload) {
    removeQuickReplies();
    const message = addToConversation({
      from: "customer", text: shownText, payload: payload, status: "pending",
    });
    appendMessage(message, false);
    pump();
  }

  function retryFailed(message) {
    // It goes to the end: the transcript shows the order in which the assistant received it.
    conversation.messages = conversation.messages.filter((other) => other !== message);
    const item = rendered.get(message.id);
    if (item) item.remove();
    rendered.delete(message.id);
    send(message.text, message.payload);
    input.focus();
  }

  function startOver() {
    clearTimeout(retryTimer);
    retryTimer = null;
    conversation.sessionId = null; // the next message asks the server for a new one
    conversation.languageSentTo = null;
    conversation.messages = [];
    saveConversation();
    setTyping(false);
    showOnline();
    renderConversation();
    assistantStatus.textContent = words.startedOver;
    input.focus();
  }

  // ---- Composer: Enter sends, Shift+Enter adds a line, the length limit is checked here ---------

  function characterCount(text) {
    return Array.from(text).length; // code points, as the server counts them
  }

  function updateLengthNote() {
    const length = characterCount(input.value);
    const tooLong = length > config.maxLength;
    input.setAttribute("aria-invalid", tooLong ? "true" : "false");
    note.classList.toggle("error", tooLong);
    if (tooLong) {
      note.textContent = words.tooLong(formatNumber(length), formatNumber(config.maxLength));
    } else if (length > config.maxLength * 0.8) {
      note.textContent = words.count(formatNumber(length), formatNumber(config.maxLength));
    } else {
      note.textContent = "";
    }
  }

  function resizeInput() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      note.classList.remove("error");
      note.textContent = words.typeFirst;
      return;
    }
    const length = characterCount(input.value);
    if (length > config.maxLength) {
      note.classList.add("error");
      note.textContent = words.notSentTooLong(formatNumber(length), formatNumber(config.maxLength));
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.value = "";
    note.textContent = "";
    resizeInput();
    send(text, text);
    input.focus();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    updateLengthNote();
    resizeInput();
  });

  // ---- Opening and closing ----------------------------------------------------------------------

  let checkedServer = false;

  function setOpen(open, moveFocus) {
    chatWindow.hidden = !open;
    widget.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", String(open));
    launcherLabel.textContent = open ? words.closeChat : words.openChat;
    store.set(openKey, open ? "true" : "false");
    if (open) {
      scrollToEnd();
      if (moveFocus) input.focus();
      if (!checkedServer) {
        checkedServer = true;
        isServerReachable().then((reachable) => {
          if (!reachable && !offline) {
            showOffline("unreachable");
            scheduleRetry();
          }
        });
      }
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", () => setOpen(chatWindow.hidden, true));
  find(".close").addEventListener("click", () => setOpen(false, true));
  find(".start-over").addEventListener("click", startOver);
  find(".retry-now").addEventListener("click", retryNow);
  chatWindow.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false, true);
  });
  window.addEventListener("online", retryNow);

  function mount() {
    renderConversation(); // before the widget is in the page, so screen readers don't reread it
    const remembered = store.get(openKey);
    setOpen(remembered === null ? config.openAtStart : remembered === "true", false);
    document.body.appendChild(host);
    pump(); // messages that were still waiting when the page was left
  }

  window.iexSupportWidget = { startOver: startOver, open: () => setOpen(true, true) };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
