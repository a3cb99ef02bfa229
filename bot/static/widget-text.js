// The chat widget's pure text logic: link detection, how one answer's messages are merged into
// at most two bubbles, the case summary's buttons and the composer's placeholder. No DOM, no
// network: node's test runner loads it as a CommonJS module (tests/widget/), the page gets it
// inside /widget.js (bot/chat.py serves the modules and widget.js as one script).
(function (modules) {
  "use strict";

  /** The href of an http/https URL, or null for anything else (javascript:, data:, garbage). */
  function safeHttpUrl(candidate) {
    try {
      const url = new URL(String(candidate));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  /** A URL as found in text, without the punctuation that ends the sentence around it. */
  function trimUrl(candidate) {
    let url = candidate.replace(/[.,;:!?'"]+$/, "");
    // A closing parenthesis belongs to the URL only if the URL opened one: "(see https://x.dk)".
    while (url.endsWith(")") && url.split("(").length < url.split(")").length) {
      url = url.slice(0, -1).replace(/[.,;:!?'"]+$/, "");
    }
    return url;
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

  /** A text cut into plain pieces ({text}) and links ({text, href}), in order. */
  function linkedSegments(text) {
    text = String(text);
    const segments = [];
    let position = 0;
    for (const url of findUrls(text)) {
      if (url.index > position) segments.push({ text: text.slice(position, url.index) });
      segments.push({ text: url.written, href: url.href });
      position = url.index + url.written.length;
    }
    if (position < text.length) segments.push({ text: text.slice(position) });
    return segments;
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

  /** One of the channel's answers as a widget message, or null if it shows nothing. */
  function messageOf(answer) {
    if (!answer || typeof answer !== "object") return null;
    const message = { from: "bot" };
    if (typeof answer.text === "string" && answer.text) message.text = answer.text;
    if (Array.isArray(answer.buttons) && answer.buttons.length) message.buttons = answer.buttons;
    if (answer.custom && typeof answer.custom === "object") message.custom = answer.custom;
    if (typeof answer.image === "string") message.image = answer.image;
    return message.text || message.custom || message.image ? message : null;
  }

  /**
   * The messages of one answer, merged so it reads as at most two bubbles: consecutive texts
   * become paragraphs of one bubble (a question with buttons joins the text before it), and a
   * card (articles, case summary, reference) joins the message before it.
   */
  function mergeAnswers(answers) {
    const merged = [];
    for (const message of withoutRepeatedArticleLines(answers).map(messageOf)) {
      if (!message) continue;
      const last = merged[merged.length - 1];
      const lastIsPlainText = last && last.text && !last.buttons && !last.custom && !last.image;
      if (lastIsPlainText && message.text && !message.custom && !message.image) {
        last.text += "\n\n" + message.text;
        if (message.buttons) last.buttons = message.buttons;
      } else if (last && message.custom && !message.text && !message.image && !last.custom &&
                 !last.image) {
        last.custom = message.custom;
        if (message.buttons) last.buttons = (last.buttons || []).concat(message.buttons);
      } else {
        merged.push(message);
      }
    }
    return merged;
  }

  /**
   * A case summary's text split for its card: the question it ends with (inside the card) and
   * the paragraphs before it that do not repeat the case's fields (in a bubble above it).
   */
  function summaryWords(text, fields) {
    const paragraphs = String(text || "").split(/\n\s*\n/).map((part) => part.trim())
      .filter(Boolean);
    const question = paragraphs.length ? paragraphs.pop() : "";
    const values = (fields || []).map((field) => String((field && field.value) || "").trim())
      .filter((value) => value.length > 2);
    const repeatsFields = (paragraph) => paragraph.includes("\n") ||
      values.some((value) => paragraph.includes(value));
    return { question: question, before: paragraphs.filter((part) => !repeatsFields(part)) };
  }

  /** A case summary's buttons by role: send (primary), corrections, and don't send. */
  function summaryButtons(buttons) {
    const roles = { send: null, corrections: [], cancel: null, others: [] };
    for (const button of buttons || []) {
      const payload = String((button && button.payload) || "");
      if (payload === "/affirm" && !roles.send) roles.send = button;
      else if (payload === "/cancel" && !roles.cancel) roles.cancel = button;
      else if (payload.startsWith("/correct_field")) roles.corrections.push(button);
      else roles.others.push(button);
    }
    return roles;
  }

  // What the assistant asks for, recognised in its question (both languages). The REST channel
  // tells the widget no form slot, so the question's words are the best signal there is.
  const QUESTIONS = [
    ["email", /(which|complete|need an) e-mail address|(hvilken|hel|bruge en) e-mailadresse|another address|en anden adresse/i],
    ["products", /which product numbers|hvilke varenumre/i],
    ["orders", /which order numbers|hvilke ordrenumre|order or product number|ordre- eller varenummer/i],
    ["systems", /which systems|hvilke systemer/i],
    ["description", /what happened|hvad skete der/i],
  ];

  /** What the assistant's last question asks for ("email", "orders", ...), or null. */
  function askedFor(text) {
    const question = String(text || "");
    for (const [kind, pattern] of QUESTIONS) if (pattern.test(question)) return kind;
    return null;
  }

  /** The text of the newest assistant message that has one, or "". */
  function lastAssistantText(messages) {
    for (let index = messages.length - 1; index >= 0; index -= 1) {
      const message = messages[index];
      if (message.from === "customer") return "";
      if (message.from === "bot" && message.text) return message.text;
    }
    return "";
  }

  /** The placeholder key for the composer: what the assistant asks for, else a general one. */
  function placeholderKey(messages) {
    if (!messages.some((message) => message.from === "customer")) return "placeholder";
    const kind = askedFor(lastAssistantText(messages));
    return kind ? "placeholder_" + kind : "placeholderReply";
  }

  /** How an answer ends the conversation, for its rating: "ticket", "solved", or null. */
  function conversationEnding(question, messages) {
    const ticket = messages.some((message) => message.custom &&
      message.custom.type === "ticket_reference");
    if (ticket) return "ticket";
    return question && question.ends === "solved" ? "solved" : null;
  }

  const api = {
    safeHttpUrl, trimUrl, findUrls, linkedSegments, withoutRepeatedArticleLines, messageOf,
    mergeAnswers, summaryWords, summaryButtons, askedFor, placeholderKey, conversationEnding,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  else modules.text = api;
})(typeof window === "object" ? (window.iexSupportWidgetModules = window.iexSupportWidgetModules || {}) : {});
