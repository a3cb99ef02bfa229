// IEX Support Assistant chat widget. Embed it on any page with
//   <script src="http://host:8080/widget.js" data-server="http://host:5005" data-title="IEX Support"
//           data-max-length="5000" data-open="false" data-lang="da"></script>
// It adds a launcher button and a chat window inside a Shadow DOM (the host page's CSS can't reach
// it) and talks to the assistant's chat channel (bot/channel.py), under a conversation id the
// server issued. Every text from the customer or the assistant goes into the
// page as text nodes only; links are made only from http/https URLs.
// It speaks the page's language (data-lang, else the page's <html lang>) if it knows it, else
// English, and tells the server that language with a conversation's first message.
// Articles open in a panel inside the widget (from the web app's /help/<slug>/content), and
// feedback on them and a rating at a conversation's end go to the web app's /widget/feedback.
// Its pure logic is in widget-text.js and widget-delivery.js, which /widget.js serves first.
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script || window.iexSupportWidget) return; // embedded twice: keep the first one
  const modules = window.iexSupportWidgetModules || {};
  if (!modules.text || !modules.delivery) {
    console.error("IEX support widget: load it from /widget.js, which includes its modules.");
    return;
  }
  const {
    safeHttpUrl, linkedSegments, mergeAnswers, summaryWords, summaryButtons, placeholderKey,
    conversationEnding,
  } = modules.text;
  const { nextPending, retryDelay, refusalKind, retriesOnItsOwn } = modules.delivery;

  const CHANNEL_PATH = "/webhooks/chat"; // + "/conversations" for a new id, + "/webhook" to talk
  const ANSWER_TIMEOUT_MS = 90000;
  const KEPT_MESSAGES = 300;
  const KEPT_TICKETS = 20;
  const RATING_SCALE = [1, 2, 3, 4, 5];

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
      placeholderReply: "Type your answer\u2026",
      placeholder_email: "name@company.dk",
      placeholder_orders: "Order numbers, e.g. 10023, 10024",
      placeholder_products: "Product numbers, e.g. TS-RED-L",
      placeholder_systems: "e.g. Shopify and e-conomic",
      placeholder_description: "What happened, and what did you expect?",
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
      startOverQuestion: "Start a new conversation? This one is cleared; your case references " +
        "stay here.",
      startOverYes: "Yes, start over",
      startOverNo: "Keep this conversation",
      corrections: "Something to correct?",
      copy: "Copy",
      copied: "Copied",
      copyReference: "Copy the reference",
      copyFailed: "Select the reference to copy it",
      yourCases: "Your cases",
      articlePanel: "Help article",
      backToChat: "Back to the chat",
      loadingArticle: "Loading the article\u2026",
      articleFailed: "The article couldn't be loaded here.",
      openInHelpCenter: "Open it in the help center",
      didItHelp: "Did this help?",
      yes: "Yes",
      no: "No",
      feedbackThanks: "Thanks for telling us.",
      feedbackFailed: "That couldn't be saved. Please try again.",
      rateConversation: "How did this conversation go?",
      ratingScale: "1 = poor, 5 = great",
      ratingValue: (value) => value + " of 5",
      ratingComment: "Anything to add? (optional)",
      sendRating: "Send rating",
      ratingThanks: "Thanks for your rating!",
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
      placeholderReply: "Skriv dit svar\u2026",
      placeholder_email: "navn@firma.dk",
      placeholder_orders: "Ordrenumre, f.eks. 10023, 10024",
      placeholder_products: "Varenumre, f.eks. TS-RED-L",
      placeholder_systems: "f.eks. Shopify og e-conomic",
      placeholder_description: "Hvad skete der, og hvad havde du forventet?",
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
      startOverQuestion: "Vil du starte en ny samtale? Denne bliver ryddet, men dine " +
        "sagsreferencer bliver stående her.",
      startOverYes: "Ja, start forfra",
      startOverNo: "Behold samtalen",
      corrections: "Er der noget, du vil rette?",
      copy: "Kopiér",
      copied: "Kopieret",
      copyReference: "Kopiér referencen",
      copyFailed: "Markér referencen for at kopiere den",
      yourCases: "Dine sager",
      articlePanel: "Hjælpeartikel",
      backToChat: "Tilbage til chatten",
      loadingArticle: "Henter artiklen\u2026",
      articleFailed: "Artiklen kunne ikke vises her.",
      openInHelpCenter: "Åbn den i hjælpecentret",
      didItHelp: "Hjalp det?",
      yes: "Ja",
      no: "Nej",
      feedbackThanks: "Tak, fordi du fortalte os det.",
      feedbackFailed: "Det kunne ikke gemmes. Prøv igen.",
      rateConversation: "Hvordan gik samtalen?",
      ratingScale: "1 = dårligt, 5 = rigtig godt",
      ratingValue: (value) => value + " ud af 5",
      ratingComment: "Vil du tilføje noget? (valgfrit)",
      sendRating: "Send bedømmelse",
      ratingThanks: "Tak for din bedømmelse!",
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
    assetBase: new URL(".", script.src).href, // the web app: its help pages and feedback too
  };
  // Phones: the open window takes the whole screen (widget.css has the same width).
  const phone = window.matchMedia("(max-width: 480px)");
  if (!config.server) {
    console.error("IEX support widget: add data-server=\"<Rasa server URL>\" to its script tag.");
    return;
  }

  // ---- Conversation state, kept in the browser so it survives a reload -------------------------

  const storageKey = "iex-support-widget:" + config.server;
  const openKey = storageKey + ":open";
  const ticketsKey = storageKey + ":tickets"; // kept when the customer starts over
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

  /** The references of the tickets created from this browser, newest last. */
  function loadTickets() {
    try {
      const saved = JSON.parse(store.get(ticketsKey));
      return Array.isArray(saved) ? saved.filter((ticket) => ticket && ticket.reference) : [];
    } catch (error) {
      return [];
    }
  }

  const tickets = loadTickets();

  function keepTicket(custom) {
    const reference = String(custom.reference || "");
    if (!reference || tickets.some((ticket) => ticket.reference === reference)) return;
    tickets.push({ reference: reference, due: custom.due ? String(custom.due) : "" });
    store.set(ticketsKey, JSON.stringify(tickets.slice(-KEPT_TICKETS)));
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

  function externalLink(href, text, className) {
    const link = element("a", className, text);
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }

  /** Append text to parent as text nodes, with every http/https URL as a link. */
  function appendLinkedText(parent, text) {
    for (const segment of linkedSegments(text)) {
      parent.appendChild(segment.href ? externalLink(segment.href, segment.text)
        : document.createTextNode(segment.text));
    }
  }

  function button(className, text, onClick) {
    const node = element("button", className, text);
    node.type = "button";
    if (onClick) node.addEventListener("click", onClick);
    return node;
  }

  // The tags an article body may keep in the panel; others are dropped, their text kept.
  const ARTICLE_TAGS = new Set(["P", "H1", "H2", "H3", "H4", "UL", "OL", "LI", "STRONG", "EM",
    "CODE", "PRE", "BLOCKQUOTE", "BR", "HR", "A", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD"]);

  /** An article's HTML rebuilt from its allowed tags and text only: no attributes, no script;
   * links only to http/https, opening outside the widget. */
  function articleBody(html) {
    const parsed = new DOMParser().parseFromString(String(html), "text/html");
    const body = element("div", "article-body");
    const copy = (from, to) => {
      for (const node of from.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) {
          to.appendChild(document.createTextNode(node.textContent));
        } else if (node.nodeType === Node.ELEMENT_NODE && ARTICLE_TAGS.has(node.tagName)) {
          let href = null;
          if (node.tagName === "A") {
            try { href = safeHttpUrl(new URL(node.getAttribute("href") || "", config.assetBase)); }
            catch (error) { href = null; }
          }
          const kept = node.tagName === "A" ? (href ? externalLink(href, "") : element("span"))
            : document.createElement(node.tagName.toLowerCase());
          copy(node, kept);
          to.appendChild(kept);
        } else if (node.nodeType === Node.ELEMENT_NODE) {
          copy(node, to);
        }
      }
    };
    copy(parsed.body, body);
    return body;
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
        <div class="confirm-start-over" role="group" aria-labelledby="start-over-question" hidden>
          <p id="start-over-question" data-text="startOverQuestion"></p>
          <button type="button" class="start-over-yes" data-text="startOverYes"></button>
          <button type="button" class="start-over-no" data-text="startOverNo"></button>
        </div>
        <div class="banner" hidden>
          <p class="banner-text" role="alert"></p>
          <p class="banner-retry" aria-hidden="true"></p>
          <button type="button" class="retry-now" data-text="tryNow"></button>
        </div>
        <section class="article-panel" aria-labelledby="article-title" hidden>
          <button type="button" class="article-back">
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M15 5l-7 7 7 7"/></svg>
            <span data-text="backToChat"></span>
          </button>
          <div class="article-scroll">
            <p class="article-kind" data-text="articlePanel"></p>
            <h3 id="article-title" class="article-heading" tabindex="-1"></h3>
            <p class="article-note" hidden></p>
            <div class="article-content"></div>
            <p class="article-source" hidden></p>
          </div>
          <div class="article-feedback" role="group" aria-labelledby="article-helped-question" hidden>
            <p id="article-helped-question" data-text="didItHelp"></p>
            <button type="button" class="helped-yes" data-text="yes"></button>
            <button type="button" class="helped-no" data-text="no"></button>
            <p class="article-feedback-note" role="status"></p>
          </div>
        </section>
        <div class="conversation">
          <ol class="messages" role="log" aria-live="polite" aria-relevant="additions"
              data-label="conversation" tabindex="-1"></ol>
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
  const confirmStartOver = find(".confirm-start-over");
  const articlePanel = find(".article-panel");
  find(".title").textContent = config.title;
  host.lang = language; // screen readers pronounce the widget in its own language
  widget.lang = language;

  // What pressed the latest button: a click is a PointerEvent that names it in current
  // browsers, but not in older Safari, whose taps must not pop up the keyboard either.
  let lastPointerType = "";
  shadow.addEventListener("pointerdown", (event) => { lastPointerType = event.pointerType; }, true);

  /** Whether a click came from a finger or a pen (a keyboard's click has no detail). */
  function tapped(event) {
    if (!event || event.detail === 0) return false;
    const pointer = event.pointerType || lastPointerType;
    return pointer === "touch" || pointer === "pen";
  }

  /** Back to typing after a button: the text box for a mouse or keyboard, but never after a tap
   * (focusing the text box pops up a phone's keyboard over the answer). */
  function focusAfter(event) {
    if (tapped(event)) list.focus({ preventScroll: true });
    else input.focus();
  }

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
      const slug = typeof article.slug === "string" ? article.slug : "";
      if (href && slug) {
        // Read inside the widget; a modified click (new tab) still goes to the help center.
        card.addEventListener("click", (event) => {
          if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          openArticle(slug, href, card);
        });
      }
      item.appendChild(card);
      cards.appendChild(item);
    }
    return cards;
  }

  function choiceButton(choice, className, message) {
    return button(className, String(choice.title || choice.payload || ""),
      (event) => answerWith(choice, message, event));
  }

  /** The case before it is sent: its fields, the question, and its buttons, in one card. */
  function ticketSummary(message, withButtons) {
    const fields = message.custom.fields.filter((field) => field && typeof field === "object");
    const block = element("section", "ticket ticket-summary");
    block.setAttribute("aria-label", words.caseBeforeSending);
    block.appendChild(element("h3", "ticket-heading", words.yourCase));
    const details = element("dl");
    for (const field of fields) {
      const row = element("div", "ticket-field");
      row.appendChild(element("dt", "", String(field.label || "")));
      const value = element("dd");
      appendLinkedText(value, field.value === undefined || field.value === null ? "" : field.value);
      row.appendChild(value);
      details.appendChild(row);
    }
    block.appendChild(details);
    const question = summaryWords(message.text, fields).question;
    if (question) block.appendChild(element("p", "summary-question", question));
    const roles = summaryButtons(message.buttons);
    if (withButtons && (roles.send || roles.cancel || roles.corrections.length)) {
      // One group, so sending anything removes it like other quick replies.
      const actions = element("div", "quick-replies summary-actions");
      actions.setAttribute("role", "group");
      actions.setAttribute("aria-label", words.suggestedAnswers);
      const main = element("div", "summary-main");
      if (roles.send) main.appendChild(choiceButton(roles.send, "primary", message));
      for (const other of roles.others) main.appendChild(choiceButton(other, "secondary", message));
      if (roles.cancel) main.appendChild(choiceButton(roles.cancel, "secondary", message));
      actions.appendChild(main);
      if (roles.corrections.length) {
        const corrections = element("div", "summary-corrections");
        corrections.appendChild(element("p", "corrections-label", words.corrections));
        for (const correction of roles.corrections) {
          corrections.appendChild(choiceButton(correction, "correction", message));
        }
        actions.appendChild(corrections);
      }
      block.appendChild(actions);
    }
    return block;
  }

  /** A button that copies text to the clipboard and says so. */
  function copyButton(text) {
    const copy = button("copy", words.copy);
    copy.setAttribute("aria-label", words.copyReference);
    copy.addEventListener("click", async () => {
      let copied = false;
      try {
        await navigator.clipboard.writeText(text);
        copied = true;
      } catch (error) { /* no clipboard (http page, permissions): say how instead */ }
      copy.textContent = copied ? words.copied : words.copyFailed;
      assistantStatus.textContent = copied ? words.copied + ": " + text : words.copyFailed;
      setTimeout(() => { copy.textContent = words.copy; }, 2500);
    });
    return copy;
  }

  function referenceLine(reference) {
    const line = element("p", "reference-line");
    line.appendChild(element("span", "reference", reference));
    line.appendChild(copyButton(reference));
    return line;
  }

  function ticketReference(custom) {
    const block = element("section", "ticket ticket-reference");
    block.setAttribute("aria-label", words.ticketCreated);
    block.appendChild(element("h3", "ticket-heading", words.ticketCreated));
    block.appendChild(referenceLine(String(custom.reference || "")));
    if (custom.due) {
      block.appendChild(element("p", "due", words.answerBy(String(custom.due))));
    }
    return block;
  }

  /** The tickets of earlier conversations from this browser, so starting over loses none. */
  function earlierCases() {
    const shown = new Set(conversation.messages
      .filter((message) => message.custom && message.custom.type === "ticket_reference")
      .map((message) => String(message.custom.reference)));
    const earlier = tickets.filter((ticket) => !shown.has(ticket.reference));
    if (!earlier.length) return null;
    const item = element("li", "message bot");
    const block = element("section", "ticket ticket-reference earlier-cases");
    block.setAttribute("aria-label", words.yourCases);
    block.appendChild(element("h3", "ticket-heading", words.yourCases));
    for (const ticket of earlier.slice().reverse()) {
      block.appendChild(referenceLine(ticket.reference));
      if (ticket.due) block.appendChild(element("p", "due", words.answerBy(ticket.due)));
    }
    item.appendChild(block);
    return item;
  }

  /** A 1-5 rating with an optional comment, offered once a conversation has ended. */
  function ratingCard(message) {
    const block = element("section", "rating");
    block.setAttribute("aria-label", words.rateConversation);
    if (message.rating.given) {
      block.appendChild(element("p", "rating-thanks", words.ratingThanks));
      return block;
    }
    const form = element("form", "rating-form");
    form.noValidate = true;
    const fieldset = element("fieldset");
    fieldset.appendChild(element("legend", "rating-question", words.rateConversation));
    const scale = element("div", "rating-scale");
    let chosen = 0;
    const send = element("button", "primary send-rating", words.sendRating);
    send.type = "submit";
    send.disabled = true;
    for (const value of RATING_SCALE) {
      const choice = button("rating-value", String(value), () => {
        chosen = value;
        for (const other of scale.children) {
          other.setAttribute("aria-pressed", String(other === choice));
        }
        send.disabled = false;
      });
      choice.setAttribute("aria-pressed", "false");
      choice.setAttribute("aria-label", words.ratingValue(value));
      scale.appendChild(choice);
    }
    fieldset.appendChild(scale);
    fieldset.appendChild(element("p", "rating-hint", words.ratingScale));
    const commentId = "rating-comment-" + message.id;
    const label = element("label", "rating-comment-label", words.ratingComment);
    label.htmlFor = commentId;
    const comment = element("textarea", "rating-comment");
    comment.id = commentId;
    comment.rows = 2;
    comment.maxLength = 1000;
    fieldset.appendChild(label);
    fieldset.appendChild(comment);
    form.appendChild(fieldset);
    const note = element("p", "rating-note");
    note.setAttribute("role", "status");
    form.appendChild(send);
    form.appendChild(note);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!chosen) return;
      send.disabled = true;
      const saved = await postFeedback({
        kind: "rating", rating: chosen, comment: comment.value.trim(),
        outcome: message.rating.outcome,
      });
      if (!saved) {
        note.textContent = words.feedbackFailed;
        send.disabled = false;
        return;
      }
      message.rating.given = chosen;
      saveConversation();
      const thanks = ratingCard(message);
      block.replaceWith(thanks);
      assistantStatus.textContent = words.ratingThanks;
    });
    block.appendChild(form);
    return block;
  }

  function customContent(custom) {
    if (!custom || typeof custom !== "object") return null;
    const { type } = custom;
    if (type === "articles" && Array.isArray(custom.articles)) return articleCards(custom.articles);
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
    for (const choice of message.buttons) group.appendChild(choiceButton(choice, "quick-reply", message));
    return group;
  }

  /** The customer picked one of the assistant's buttons. */
  function answerWith(choice, question, event) {
    const title = String(choice.title || choice.payload);
    const payload = String(choice.payload || choice.title);
    // "Yes, it's solved" to the did-that-solve-it question ends the conversation: rate it.
    const solved = payload === "/affirm" && (question.buttons || [])
      .some((other) => other && other.payload === "/request_another_article");
    send(title, payload, solved ? "solved" : null);
    focusAfter(event);
  }

  function deliveryNote(message) {
    const status = element("span", "delivery");
    if (message.status === "pending") {
      status.textContent = message.id === sendingId ? words.sending
        : offline ? words.waitingOffline
        : words.waiting;
    } else if (message.status === "failed") {
      status.textContent = words.notSent + (message.failure ? ": " + message.failure : "") + " ";
      const retry = button("retry-message", words.retry, (event) => retryFailed(message, event));
      retry.setAttribute("aria-label", words.retryMessage);
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

  function textBubble(text) {
    const bubble = element("div", "bubble");
    appendLinkedText(bubble, text);
    return bubble;
  }

  function messageItem(message, withQuickReplies) {
    const item = element("li", "message " + message.from);
    if (message.status) item.classList.add(message.status);
    const speaker = message.from === "customer" ? words.youSaid : config.title + ": ";
    item.appendChild(element("span", "sr-only", speaker));
    const custom = message.custom;
    const summary = custom && custom.type === "ticket_summary" && Array.isArray(custom.fields);
    if (summary) {
      // The summary once, in its card: only the words that don't repeat it go in a bubble.
      const before = summaryWords(message.text, custom.fields).before;
      if (before.length) item.appendChild(textBubble(before.join("\n\n")));
      item.appendChild(ticketSummary(message, withQuickReplies));
      item.classList.add("wide");
    } else if (message.text) {
      item.appendChild(textBubble(message.text));
    }
    const image = message.image && safeHttpUrl(message.image);
    if (image) {
      const picture = element("img", "picture");
      picture.src = image;
      picture.alt = "";
      item.appendChild(picture);
    }
    const extra = summary ? null : customContent(custom);
    if (extra) item.appendChild(extra);
    if (message.rating) {
      item.appendChild(ratingCard(message));
      item.classList.add("wide");
    }
    const hasButtons = Array.isArray(message.buttons) && message.buttons.length;
    if (!summary && withQuickReplies && hasButtons) item.appendChild(quickReplies(message));
    item.appendChild(metaLine(message));
    return item;
  }

  // ---- The article panel: a help article read inside the widget ---------------------------------

  const articleContent = find(".article-content");
  const articleHeading = find(".article-heading");
  const articleNote = find(".article-note");
  const articleSource = find(".article-source");
  const articleFeedback = find(".article-feedback");
  const articleFeedbackNote = find(".article-feedback-note");
  let openedFrom = null; // the card that opened the panel, focused again on the way back
  let shownArticle = "";

  /** Record feedback in the web app under this conversation's id; whether it was stored. */
  async function postFeedback(body) {
    if (!conversation.sessionId) return false;
    try {
      const reply = await fetch(new URL("widget/feedback", config.assetBase).href, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ conversation_id: conversation.sessionId }, body)),
      });
      return reply.ok;
    } catch (error) {
      return false;
    }
  }

  function showArticlePanel(shown) {
    articlePanel.hidden = !shown;
    scroller.hidden = shown;
    form.hidden = shown;
  }

  async function openArticle(slug, href, card) {
    openedFrom = card;
    shownArticle = slug;
    articleHeading.textContent = words.loadingArticle;
    articleNote.hidden = true;
    articleSource.hidden = true;
    articleFeedback.hidden = true;
    articleFeedbackNote.textContent = "";
    articleContent.replaceChildren();
    showArticlePanel(true);
    articleHeading.focus();
    const address = new URL("help/" + encodeURIComponent(slug) + "/content", config.assetBase);
    address.searchParams.set("lang", language);
    let article = null;
    try {
      const reply = await fetch(address.href);
      if (reply.ok) article = await reply.json();
    } catch (error) { /* shown below as a link to the help center */ }
    if (shownArticle !== slug || articlePanel.hidden) return; // closed or another one meanwhile
    if (!article || typeof article.title !== "string") {
      articleHeading.textContent = words.articleFailed;
      const link = externalLink(href, words.openInHelpCenter);
      articleContent.replaceChildren(element("p", "", ""));
      articleContent.firstChild.appendChild(link);
      return;
    }
    articleHeading.textContent = article.title;
    articleNote.textContent = article.untranslated || "";
    articleNote.hidden = !article.untranslated;
    articleContent.lang = article.language || "";
    articleContent.replaceChildren(articleBody(article.body_html || ""));
    const source = safeHttpUrl(article.source_url);
    if (source) {
      articleSource.replaceChildren(document.createTextNode(String(article.source_label || "") + " "),
        externalLink(source, source));
      articleSource.hidden = false;
    }
    articleFeedback.hidden = false;
    for (const answer of articleFeedback.querySelectorAll("button")) {
      answer.disabled = false;
      answer.setAttribute("aria-pressed", "false");
    }
    postFeedback({ kind: "article_opened", slug: slug });
  }

  async function answerArticleQuestion(helped) {
    const slug = shownArticle;
    const answers = articleFeedback.querySelectorAll("button");
    const chosen = find(helped ? ".helped-yes" : ".helped-no");
    for (const answer of answers) {
      answer.disabled = true;
      answer.setAttribute("aria-pressed", String(answer === chosen));
    }
    const saved = await postFeedback({ kind: "article_helped", slug: slug, helped: helped });
    articleFeedbackNote.textContent = saved ? words.feedbackThanks : words.feedbackFailed;
    if (!saved) {
      for (const answer of answers) {
        answer.disabled = false;
        answer.setAttribute("aria-pressed", "false");
      }
    }
  }

  function closeArticle() {
    showArticlePanel(false);
    shownArticle = "";
    if (openedFrom && openedFrom.isConnected) openedFrom.focus();
    else input.focus();
  }

  find(".article-back").addEventListener("click", closeArticle);
  find(".helped-yes").addEventListener("click", () => answerArticleQuestion(true));
  find(".helped-no").addEventListener("click", () => answerArticleQuestion(false));

  let followingEnd = true; // false while the customer scrolls back to read

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
    followingEnd = true;
  }

  /** Show an answer from its first message: the advice, not the buttons below it. */
  function scrollToAnswer(first) {
    const top = first.offsetTop - 8;
    const fits = scroller.scrollHeight - top <= scroller.clientHeight;
    if (fits) {
      scrollToEnd();
      return;
    }
    scroller.scrollTop = top;
    lastScrollTop = scroller.scrollTop;
    followingEnd = false; // the customer reads down from here
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

  function appendMessage(message, withQuickReplies, keepScroll) {
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
    if (!keepScroll) scrollToEnd();
    return item;
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
    const cases = earlierCases();
    if (cases) list.appendChild(cases);
    // Quick replies only make sense for the answers after the customer's last message.
    let lastCustomer = -1;
    conversation.messages.forEach((message, index) => {
      if (message.from === "customer") lastCustomer = index;
    });
    conversation.messages.forEach((message, index) => appendMessage(message, index > lastCustomer));
    updatePlaceholder();
  }

  /** A placeholder that says what the assistant just asked for (an e-mail address, ...). */
  function updatePlaceholder() {
    const key = placeholderKey(conversation.messages);
    input.placeholder = words[key];
    input.inputMode = key === "placeholder_email" ? "email" : "text";
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
    const kind = refusalKind(status);
    if (kind === "renew") return new DeliveryError("renew", words.expired, notice);
    if (kind === "limited") {
      const wait = Number(body && body.retry_after) || Number(reply.headers.get("Retry-After")) || 15;
      return new DeliveryError("limited", words.tooManyMessages, notice || words.rateLimited, wait);
    }
    if (kind === "server") return new DeliveryError("server", words.serverError(status), notice);
    if (status === 413) return new DeliveryError("refused", notice || words.tooLongForChat, notice);
    return new DeliveryError("refused", notice || words.unreadable(status), notice);
  }

  /** A new conversation id from the server, kept with the conversation. */
  async function renewSession() {
    let reply;
    try {
      // The page's language words a refusal (too many new conversations) the way the page speaks.
      reply = await fetch(config.server + CHANNEL_PATH + "/conversations", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ language }),
      });
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
    const delay = waitSeconds ? waitSeconds * 1000 : retryDelay(retryAttempt);
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
        const next = nextPending(conversation.messages);
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
          receive(answers, next);
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
          if (retriesOnItsOwn(error.kind, next.serverErrors || 0)) {
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

  /** Show one answer, merged into few bubbles, from its first message; rate a finished one. */
  function receive(answers, question) {
    const messages = mergeAnswers(answers);
    for (const message of messages) {
      if (message.custom && message.custom.type === "ticket_reference") keepTicket(message.custom);
    }
    const ending = conversationEnding(question, messages);
    const rated = conversation.messages.some((message) => message.rating);
    if (ending && !rated) messages.push({ from: "bot", rating: { outcome: ending, given: 0 } });
    // Buttons answer the newest question only: none if the customer has typed on meanwhile.
    const typedOn = Boolean(nextPending(conversation.messages));
    let first = null;
    for (const message of messages) {
      const item = appendMessage(addToConversation(message), !typedOn, true);
      first = first || item;
    }
    if (first) scrollToAnswer(first);
    updatePlaceholder();
  }

  /** Show the customer's message at once and queue it; `payload` is what Rasa receives. */
  function send(shownText, payload, ends) {
    removeQuickReplies();
    const message = addToConversation(Object.assign({
      from: "customer", text: shownText, payload: payload, status: "pending",
    }, ends ? { ends: ends } : {}));
    appendMessage(message, false);
    updatePlaceholder();
    pump();
  }

  function retryFailed(message, event) {
    // It goes to the end: the transcript shows the order in which the assistant received it.
    conversation.messages = conversation.messages.filter((other) => other !== message);
    const item = rendered.get(message.id);
    if (item) item.remove();
    rendered.delete(message.id);
    send(message.text, message.payload, message.ends);
    focusAfter(event);
  }

  function askToStartOver() {
    confirmStartOver.hidden = false;
    find(".start-over-no").focus();
  }

  function keepConversation() {
    confirmStartOver.hidden = true;
    find(".start-over").focus();
  }

  /** A new conversation; the references of tickets already created stay shown. */
  function startOver(event) {
    confirmStartOver.hidden = true;
    showArticlePanel(false);
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
    focusAfter(event);
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

  function setOpen(open, moveFocus, byTouch) {
    chatWindow.hidden = !open;
    widget.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", String(open));
    launcherLabel.textContent = open ? words.closeChat : words.openChat;
    store.set(openKey, open ? "true" : "false");
    updateModality();
    if (open) {
      scrollToEnd();
      // A tap on a phone opens the chat without popping up the keyboard.
      if (moveFocus) (byTouch ? find(".close") : input).focus();
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

  /** On a phone the open chat covers the page: a modal dialog that keeps the focus inside. */
  function updateModality() {
    const modal = phone.matches && !chatWindow.hidden;
    if (modal) chatWindow.setAttribute("aria-modal", "true");
    else chatWindow.removeAttribute("aria-modal");
  }

  function focusableInWindow() {
    const candidates = chatWindow.querySelectorAll(
      "button, a[href], textarea, input, [tabindex]:not([tabindex='-1'])");
    return Array.from(candidates).filter((node) => !node.disabled && node.getClientRects().length);
  }

  /** Tab and Shift+Tab go round the full-screen dialog instead of into the page behind it. */
  function trapFocus(event) {
    if (!phone.matches || chatWindow.hidden) return;
    const focusable = focusableInWindow();
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = shadow.activeElement;
    const inside = active && chatWindow.contains(active);
    if (event.shiftKey && (!inside || active === first)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (!inside || active === last)) {
      event.preventDefault();
      first.focus();
    }
  }

  launcher.addEventListener("click", (event) => setOpen(chatWindow.hidden, true, tapped(event)));
  find(".close").addEventListener("click", () => setOpen(false, true));
  find(".start-over").addEventListener("click", askToStartOver);
  find(".start-over-yes").addEventListener("click", startOver);
  find(".start-over-no").addEventListener("click", keepConversation);
  find(".retry-now").addEventListener("click", retryNow);
  chatWindow.addEventListener("keydown", (event) => {
    if (event.key === "Tab") trapFocus(event);
    if (event.key !== "Escape") return;
    // Escape closes what is on top: the question, the article, then the chat.
    if (!confirmStartOver.hidden) keepConversation();
    else if (!articlePanel.hidden) closeArticle();
    else setOpen(false, true);
  });
  // Focus on the page behind (a Tab from the last element of the page's own): back inside.
  document.addEventListener("focusin", (event) => {
    if (event.target !== host && phone.matches && !chatWindow.hidden) {
      const focusable = focusableInWindow();
      if (focusable.length) focusable[0].focus();
    }
  });
  phone.addEventListener("change", updateModality);
  window.addEventListener("online", retryNow);

  function mount() {
    renderConversation(); // before the widget is in the page, so screen readers don't reread it
    const remembered = store.get(openKey);
    // A phone shows only the launcher at first: the full-screen chat would hide the page.
    const open = !phone.matches && (remembered === null ? config.openAtStart : remembered === "true");
    setOpen(open, false);
    document.body.appendChild(host);
    pump(); // messages that were still waiting when the page was left
  }

  window.iexSupportWidget = { startOver: startOver, open: () => setOpen(true, true) };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
