// The chat widget's send queue rules: which message goes next, how long to wait before trying
// again, and what an HTTP refusal means. No DOM, no network (see widget-text.js on loading).
(function (modules) {
  "use strict";

  const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000]; // the last one repeats until it works
  const SERVER_ERROR_ATTEMPTS = 3; // a message the server keeps failing on is marked failed

  /** The next message waiting to be sent, oldest first (the order Rasa must receive them in). */
  function nextPending(messages) {
    return messages.find((message) => message.status === "pending") || null;
  }

  /** The wait before retry number `attempt` (0 first), jittered +-20 % so clients spread out. */
  function retryDelay(attempt, random) {
    const base = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];
    return Math.round(base * (0.8 + (random === undefined ? Math.random() : random) * 0.4));
  }

  /**
   * What a refusal with this HTTP status means for the queue: "renew" (get a new conversation
   * id and send again), "limited" (send again after the server's wait), "server" (retried a few
   * times) or "refused" (left to the customer).
   */
  function refusalKind(status) {
    if (status === 401) return "renew";
    if (status === 429) return "limited";
    if (status >= 500 || [408, 409, 425].includes(status)) return "server";
    return "refused";
  }

  /** Whether a failed message is tried again on its own, or left to the customer's Retry. */
  function retriesOnItsOwn(kind, serverErrors) {
    return kind === "unreachable" || (kind === "server" && serverErrors < SERVER_ERROR_ATTEMPTS);
  }

  const api = { RETRY_DELAYS_MS, nextPending, retryDelay, refusalKind, retriesOnItsOwn };
  if (typeof module === "object" && module.exports) module.exports = api;
  else modules.delivery = api;
})(typeof window === "object" ? (window.iexSupportWidgetModules = window.iexSupportWidgetModules || {}) : {});
