if (!window.__newsdeskCites) {
  window.__newsdeskCites = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.nd-cite");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    const section = target.closest(".nd-turn");
    document.querySelectorAll(".nd-turn").forEach((s) => { s.hidden = s !== section; });
    document.querySelectorAll(".nd-passage.nd-active")
      .forEach((p) => p.classList.remove("nd-active"));
    target.open = true;
    target.classList.add("nd-active");
    (target.querySelector("mark") || target).scrollIntoView({ block: "center" });
  }, true);
}
