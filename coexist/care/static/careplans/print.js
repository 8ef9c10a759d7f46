// The care plan's "Print this plan" button: shown only when JavaScript runs, and prints the page
// (the print styles in app.scss hide the header, footer and buttons). An external file: the CSP allows no inline script.
for (const button of document.querySelectorAll("[data-coexist-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
