// The home page is the same for every visitor, so its add form holds no CSRF token. When the form is sent, fetch
// a token (same origin only: no CORS) and post it. Should that fail, the form goes as it would without script:
// a GET to /add, which checks the identifier and asks again with a token of its own.
document.querySelectorAll("form[data-token-url]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(form.dataset.tokenUrl, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(`token: ${response.status}`);
      const { csrfToken } = await response.json();
      // Sent again (after going back, say): the one hidden field takes the fresh token.
      let input = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (!input) {
        input = Object.assign(document.createElement("input"), { type: "hidden", name: "csrfmiddlewaretoken" });
        form.prepend(input);
      }
      input.value = csrfToken;
      form.method = "post";
    } catch (error) {
      console.warn("PaperHub: no token for the add form, asking again on /add", error);
      form.querySelector("input[name=csrfmiddlewaretoken]")?.remove();
      form.method = "get";
    }
    form.submit();
  });
});
