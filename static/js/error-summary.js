// After a refused submit, move focus to the error summary so keyboard and screen-reader users start there, and
// make each of its links put focus in the field (a plain #id link only scrolls), with its label in view.
// Each field's error is also tied to the field with aria-describedby.
document.querySelectorAll(".field-error[id$='-error'], .field-errors[id$='-error']").forEach((error) => {
  const field = document.getElementById(error.id.slice(0, -"-error".length));
  if (!field) return;
  const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!ids.includes(error.id)) field.setAttribute("aria-describedby", [...ids, error.id].join(" "));
});

const summary = document.querySelector("[data-error-summary]");
if (summary) {
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    const label = document.querySelector(`label[for="${field.id}"]`);
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
}
