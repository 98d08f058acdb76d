// The public tip form's proof of work: find a nonce whose SHA-256 with the server's challenge starts
// with the number of zero bits the form asks for, then submit. No third party, works offline.
(function () {
  function zeroBits(bytes) {
    let bits = 0;
    for (const b of bytes) {
      if (b === 0) { bits += 8; continue; }
      bits += Math.clz32(b) - 24;
      break;
    }
    return bits;
  }
  async function solve(challenge, bits) {
    const encoder = new TextEncoder();
    for (let nonce = 0; ; nonce++) {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + nonce)));
      if (zeroBits(digest) >= bits) return String(nonce);
    }
  }
  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector("[data-tip-form]");
    if (!form) return;
    const bits = parseInt(form.dataset.powBits || "0", 10);
    let solved = false;
    form.addEventListener("submit", async (event) => {
      if (solved) return;
      event.preventDefault();
      const button = form.querySelector("[type=submit]");
      const status = form.querySelector("[data-pow-status]");
      if (button) button.disabled = true;
      if (status) status.hidden = false;
      form.querySelector("[name=nonce]").value = await solve(form.querySelector("[name=challenge]").value, bits);
      solved = true;
      form.submit();
    });
  });
})();
