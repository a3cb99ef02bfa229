// Unit tests of the widget's text logic (bot/static/widget-text.js): node --test tests/widget/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const text = require("../../bot/static/widget-text.js");

test("only http and https addresses become links", () => {
  assert.equal(text.safeHttpUrl("https://support.iex.dk/a"), "https://support.iex.dk/a");
  assert.equal(text.safeHttpUrl("javascript:alert(1)"), null);
  assert.equal(text.safeHttpUrl("data:text/html,x"), null);
  assert.equal(text.safeHttpUrl("not a url"), null);
});

test("a link ends before the sentence's punctuation and an unmatched parenthesis", () => {
  const segments = text.linkedSegments("See https://app.iex.dk. (or https://x.dk/a_(b))!");
  assert.deepEqual(segments.filter((part) => part.href).map((part) => part.text),
    ["https://app.iex.dk", "https://x.dk/a_(b)"]);
  assert.equal(segments.map((part) => part.text).join(""),
    "See https://app.iex.dk. (or https://x.dk/a_(b))!");
});

test("text without addresses is one plain segment", () => {
  assert.deepEqual(text.linkedSegments("javascript:alert(1)"), [{ text: "javascript:alert(1)" }]);
});

const ADVICE = { text: "Check the Log in your IEX dashboard." };
const ARTICLE_LINES = { text: "These help articles should cover it:\n- Orders: https://support.iex.dk/en/orders" };
const CARDS = { custom: { type: "articles", articles: [
  { title: "Orders", url: "https://support.iex.dk/en/orders", slug: "orders" }] } };
const QUESTION = { text: "Did that solve it?", buttons: [
  { title: "Yes, it's solved", payload: "/affirm" },
  { title: "Show me another", payload: "/request_another_article" }] };

test("a problem answer of four messages reads as two bubbles", () => {
  const merged = text.mergeAnswers([ADVICE, ARTICLE_LINES, CARDS, QUESTION]);
  assert.equal(merged.length, 2);
  assert.equal(merged[0].text,
    "Check the Log in your IEX dashboard.\n\nThese help articles should cover it:");
  assert.equal(merged[0].custom.type, "articles"); // the cards under the advice
  assert.equal(merged[1].text, "Did that solve it?");
  assert.equal(merged[1].buttons.length, 2);
});

test("a question with buttons joins the plain text before it", () => {
  const merged = text.mergeAnswers([{ text: "Thanks." }, { text: "Which systems?", buttons: [
    { title: "Shopify", payload: "/x" }] }]);
  assert.deepEqual(merged, [{ from: "bot", text: "Thanks.\n\nWhich systems?", buttons: [
    { title: "Shopify", payload: "/x" }] }]);
});

test("the case summary and its question with buttons become one message", () => {
  const summary = { text: "Here is your case as I'll send it:\n- E-mail: anna@webshop.dk\n\nShall I send it?",
    buttons: [{ title: "Send it", payload: "/affirm" }] };
  const card = { custom: { type: "ticket_summary", fields: [{ label: "E-mail", value: "anna@webshop.dk" }] } };
  const merged = text.mergeAnswers([summary, card]);
  assert.equal(merged.length, 1);
  assert.equal(merged[0].custom.type, "ticket_summary");
  assert.equal(merged[0].buttons[0].payload, "/affirm");
  const words = text.summaryWords(merged[0].text, merged[0].custom.fields);
  assert.deepEqual(words, { question: "Shall I send it?", before: [] });
});

test("words before the summary that do not repeat it are kept", () => {
  const words = text.summaryWords("Thanks!\n\nHere it is:\n- E-mail: a@b.dk\n\nSend it?",
    [{ value: "a@b.dk" }]);
  assert.deepEqual(words, { question: "Send it?", before: ["Thanks!"] });
});

test("the summary's buttons are sorted into send, corrections and don't send", () => {
  const roles = text.summaryButtons([
    { title: "Send it", payload: "/affirm" },
    { title: "Change e-mail", payload: '/correct_field{"ticket_field": "email"}' },
    { title: "Don't send", payload: "/cancel" }]);
  assert.equal(roles.send.title, "Send it");
  assert.equal(roles.cancel.title, "Don't send");
  assert.deepEqual(roles.corrections.map((choice) => choice.title), ["Change e-mail"]);
  assert.deepEqual(roles.others, []);
});

test("article lines repeated as cards are dropped, others kept", () => {
  const [lines] = text.withoutRepeatedArticleLines([ARTICLE_LINES, CARDS]);
  assert.equal(lines.text, "These help articles should cover it:");
  const untouched = { text: "Read https://support.iex.dk/en/other" };
  assert.equal(text.withoutRepeatedArticleLines([untouched, CARDS])[0], untouched);
});

test("empty and unknown answers are dropped", () => {
  assert.deepEqual(text.mergeAnswers([null, {}, { text: "" }, "x"]), []);
});

test("the placeholder follows the assistant's question, in both languages", () => {
  const asked = (question) => text.placeholderKey([
    { from: "customer", text: "hi" }, { from: "bot", text: question }]);
  assert.equal(asked("Which e-mail address should the support team answer you at?"),
    "placeholder_email");
  assert.equal(asked("Hvilken e-mailadresse skal supportteamet svare dig på?"), "placeholder_email");
  assert.equal(asked("Shall the support team answer you at a@b.dk? If not, just type another address."),
    "placeholder_email");
  assert.equal(asked("Which order numbers are affected?"), "placeholder_orders");
  assert.equal(asked("Hvilke varenumre (SKU'er) drejer det sig om?"), "placeholder_products");
  assert.equal(asked("Hvilke systemer drejer det sig om?"), "placeholder_systems");
  assert.equal(asked("In a few sentences, what happened, and what did you expect to happen?"),
    "placeholder_description");
  assert.equal(asked("They answer by e-mail in the order cases arrive."), "placeholderReply");
});

test("before the first message the placeholder invites the problem", () => {
  assert.equal(text.placeholderKey([]), "placeholder");
  assert.equal(text.placeholderKey([{ from: "customer", text: "x" }]), "placeholderReply");
});

test("a conversation ends with a ticket reference or a solved problem", () => {
  const reference = { custom: { type: "ticket_reference", reference: "IEX-1" } };
  assert.equal(text.conversationEnding({ text: "Send it" }, [reference]), "ticket");
  assert.equal(text.conversationEnding({ ends: "solved" }, [{ text: "Glad" }]), "solved");
  assert.equal(text.conversationEnding({ text: "hi" }, [{ text: "Hello" }]), null);
});
