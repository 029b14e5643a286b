// The report form's proof of work: before the form is sent, find a nonce such that
// SHA-256("{challenge}:{nonce}") starts with data-difficulty zero bits (about 65,000
// tries: well under a second), put it in the form and send it. SHA-256 is computed
// here in plain JavaScript, since crypto.subtle only exists on HTTPS pages. The only
// script of the report form.
(function () {
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  // SHA-256 of an ASCII string; returns the first word (enough to count zero bits up
  // to 32).
  function sha256first(s) {
    const n = s.length, total = ((n + 9 + 63) >> 6) << 6;
    const b = new Uint8Array(total);
    for (let i = 0; i < n; i++) b[i] = s.charCodeAt(i);
    b[n] = 0x80;
    const bits = n * 8;
    b[total - 4] = bits >>> 24; b[total - 3] = bits >>> 16; b[total - 2] = bits >>> 8; b[total - 1] = bits;
    let h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a,
      h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    const w = new Uint32Array(64);
    for (let o = 0; o < total; o += 64) {
      for (let i = 0; i < 16; i++) w[i] = (b[o + 4 * i] << 24) | (b[o + 4 * i + 1] << 16) | (b[o + 4 * i + 2] << 8) | b[o + 4 * i + 3];
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let a = h0, c1 = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (let i = 0; i < 64; i++) {
        const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & c1) ^ (a & c) ^ (c1 & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = c1; c1 = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + c1) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    return h0 >>> 0;
  }
  document.addEventListener('submit', (ev) => {
    const form = ev.target;
    const nonce = form.querySelector('input[name="pow_nonce"]');
    const ch = form.querySelector('input[name="pow_challenge"]');
    if (!nonce || !ch || nonce.value) return;
    ev.preventDefault();
    const bits = parseInt(ch.dataset.difficulty || '16', 10);
    const status = document.getElementById('pow-status');
    if (status) status.textContent = status.dataset.working || '…';
    const mask = bits >= 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
    let i = 0;
    const step = () => {
      const end = i + 20000;
      for (; i < end; i++) {
        if ((sha256first(ch.value + ':' + i) & mask) === 0) {
          nonce.value = String(i);
          form.submit();
          return;
        }
      }
      setTimeout(step, 0);
    };
    step();
  });
})();
