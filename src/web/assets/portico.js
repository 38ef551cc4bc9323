// Small enhancements only: every form works without this file.
document.addEventListener("click", (event) => {
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    navigator.clipboard?.writeText(copy.getAttribute("data-copy")).then(() => {
      const before = copy.textContent;
      copy.textContent = "Copied";
      setTimeout(() => (copy.textContent = before), 1200);
    });
  }
});
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
