// Copy buttons: <button class="copy" data-copy="ID"> copies the text of element ID to
// the clipboard and says so (the text stays selectable for browsers without a
// clipboard API). The only script of the press page.
document.addEventListener('click', async (e) => {
  const b = e.target.closest('button.copy');
  if (!b) return;
  const el = document.getElementById(b.dataset.copy);
  if (!el) return;
  try {
    await navigator.clipboard.writeText(el.textContent.trim());
    b.textContent = b.dataset.done || 'OK';
  } catch (_) {
    const r = document.createRange();
    r.selectNodeContents(el);
    const s = window.getSelection();
    s.removeAllRanges();
    s.addRange(r);
  }
});
