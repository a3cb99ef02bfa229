// Unit tests of the widget's send queue rules (bot/static/widget-delivery.js).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const delivery = require("../../bot/static/widget-delivery.js");

test("the oldest waiting message goes first", () => {
  const messages = [{ id: 1, status: "sent" }, { id: 2, status: "pending" },
    { id: 3, status: "pending" }];
  assert.equal(delivery.nextPending(messages).id, 2);
  assert.equal(delivery.nextPending([{ id: 1, status: "failed" }]), null);
});

test("the backoff doubles, then repeats its longest wait, jittered by at most 20 %", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 9].map((attempt) => delivery.retryDelay(attempt, 0.5)),
    [1000, 2000, 4000, 8000, 15000, 15000]);
  assert.equal(delivery.retryDelay(0, 0), 800);
  assert.equal(delivery.retryDelay(0, 1), 1200);
});

test("a refusal's status says whether to renew, wait, retry or leave it", () => {
  assert.equal(delivery.refusalKind(401), "renew");
  assert.equal(delivery.refusalKind(429), "limited");
  for (const status of [500, 502, 503, 408, 409, 425]) {
    assert.equal(delivery.refusalKind(status), "server");
  }
  for (const status of [400, 403, 404, 413]) assert.equal(delivery.refusalKind(status), "refused");
});

test("an outage is retried until it ends; a failing server only a few times", () => {
  assert.equal(delivery.retriesOnItsOwn("unreachable", 99), true);
  assert.equal(delivery.retriesOnItsOwn("server", 2), true);
  assert.equal(delivery.retriesOnItsOwn("server", 3), false);
  assert.equal(delivery.retriesOnItsOwn("refused", 0), false);
});
