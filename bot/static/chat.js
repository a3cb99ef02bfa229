// Plain chat page: sends messages to Rasa's REST channel and renders every text safely
// (textContent only; links are made only from http/https URLs).
(function () {
  "use strict";
  const root = document.querySelector(".chat");
  const rasaUrl = root.dataset.rasaUrl.replace(/\/$/, "");
  const maxLength = parseInt(root.dataset.maxLength, 10);
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const status = document.getElementById("status");

  let senderId = localStorage.getItem("iex-chat-sender");
  if (!senderId) {
    senderId = "web-" + (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    localStorage.setItem("iex-chat-sender", senderId);
  }

  function appendText(element, text) {
    const urlPattern = /https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?]/g;
    let last = 0;
    for (const match of text.matchAll(urlPattern)) {
      element.appendChild(document.createTextNode(text.slice(last, match.index)));
      const link = document.createElement("a");
      link.href = match[0];
      link.textContent = match[0];
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      element.appendChild(link);
      last = match.index + match[0].length;
    }
    element.appendChild(document.createTextNode(text.slice(last)));
  }

  function addMessage(sender, text, buttons) {
    const item = document.createElement("li");
    item.className = "message " + sender;
    appendText(item, text || "");
    if (buttons && buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const button of buttons) {
        const element = document.createElement("button");
        element.type = "button";
        element.textContent = button.title;
        element.addEventListener("click", function () {
          row.remove();
          send(button.payload, button.title);
        });
        row.appendChild(element);
      }
      item.appendChild(row);
    }
    list.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  async function send(message, shownText) {
    status.textContent = "";
    addMessage("customer", shownText);
    try {
      const reply = await fetch(rasaUrl + "/webhooks/rest/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: senderId, message: message }),
      });
      if (!reply.ok) throw new Error("HTTP " + reply.status);
      for (const answer of await reply.json()) {
        addMessage("bot", answer.text, answer.buttons);
      }
    } catch (error) {
      status.textContent = "The assistant can't be reached right now (" + error.message +
        "). Your message was not delivered; it is back in the box so you can send it again.";
      if (!input.value && message === shownText) input.value = message;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) { status.textContent = "Please type a message first."; return; }
    if (text.length > maxLength) {
      status.textContent = "That message is too long (" + text.length + " characters, the limit is " +
        maxLength + "). Please shorten it.";
      return;
    }
    input.value = "";
    send(text, text);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
