// A live count under every textarea[data-max-length]: the server refuses text over the limit with a message,
// and the browser no longer cuts pasted text silently (no maxlength), so this shows the limit coming.
// Counts code points with line breaks as one, as the server does.
function formatCount(n) {
  return n.toLocaleString("en");
}

function setUpCounter(area) {
  const max = Number(area.dataset.maxLength);
  const counter = document.createElement("p");
  counter.className = "char-count";
  counter.id = `${area.id}-count`;
  const count = document.createElement("span");
  const over = document.createElement("span");
  over.setAttribute("aria-live", "polite"); // announced only when the limit is crossed, not on every key
  counter.append(count, " ", over);
  area.after(counter);
  area.setAttribute("aria-describedby", [area.getAttribute("aria-describedby"), counter.id].filter(Boolean).join(" "));
  const update = () => {
    const length = [...area.value.replace(/\r\n/g, "\n")].length;
    count.textContent = `${formatCount(length)} of ${formatCount(max)} characters`;
    const tooMany = length - max;
    over.textContent = tooMany > 0 ? `${formatCount(tooMany)} too many: shorten the text before submitting.` : "";
    counter.classList.toggle("over", tooMany > 0);
  };
  area.addEventListener("input", update);
  update();
}

document.querySelectorAll("textarea[data-max-length]").forEach(setUpCounter);
