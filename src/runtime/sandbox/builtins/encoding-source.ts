/**
 * Guest source of the UTF-8 helpers every built-in shares, and of
 * `TextEncoder`, `TextDecoder`, `atob` and `btoa`. Plain JavaScript evaluated
 * inside the sandbox: nothing here reaches the host.
 */
export const ENCODING_SOURCE = String.raw`
function utf8Encode(text) {
  text = String(text);
  var out = [];
  for (var i = 0; i < text.length; i++) {
    var c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      var d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

// Decodes bytes; returns { text, rest } where rest is an incomplete trailing sequence kept for streaming.
function utf8Decode(bytes, fatal, keepIncomplete) {
  var text = "";
  var i = 0;
  var n = bytes.length;
  function bad() {
    if (fatal) throw new TypeError("The encoded data was not valid UTF-8");
    text += "\ufffd";
  }
  while (i < n) {
    var b = bytes[i];
    if (b < 0x80) { text += String.fromCharCode(b); i++; continue; }
    var need = 0, cp = 0, lower = 0x80, upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; cp = b & 0x0f; if (b === 0xe0) lower = 0xa0; if (b === 0xed) upper = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; cp = b & 0x07; if (b === 0xf0) lower = 0x90; if (b === 0xf4) upper = 0x8f; }
    else { bad(); i++; continue; }
    var j = 1;
    for (; j <= need; j++) {
      if (i + j >= n) break;
      var next = bytes[i + j];
      var lo = j === 1 ? lower : 0x80, hi = j === 1 ? upper : 0xbf;
      if (next < lo || next > hi) break;
      cp = (cp << 6) | (next & 0x3f);
    }
    if (j <= need) {
      if (i + j >= n && keepIncomplete) return { text: text, rest: Array.prototype.slice.call(bytes, i) };
      bad();
      i += j;
      continue;
    }
    text += String.fromCodePoint(cp);
    i += need + 1;
  }
  return { text: text, rest: [] };
}

function bytesOf(input, what) {
  if (input === undefined) return new Uint8Array(0);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(what + ": the input must be an ArrayBuffer or a typed array");
}

var UTF8_LABELS = ["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"];

class TextEncoder {
  get encoding() { return "utf-8"; }
  encode(input) { return new Uint8Array(utf8Encode(input === undefined ? "" : input)); }
  encodeInto(source, destination) {
    if (!(destination instanceof Uint8Array)) throw new TypeError("TextEncoder.encodeInto: the destination must be a Uint8Array");
    source = String(source);
    var read = 0, written = 0;
    for (var i = 0; i < source.length; i++) {
      var c = source.codePointAt(i);
      var units = c > 0xffff ? 2 : 1;
      var bytes = utf8Encode(source.slice(i, i + units));
      if (written + bytes.length > destination.length) break;
      for (var k = 0; k < bytes.length; k++) destination[written++] = bytes[k];
      read += units;
      i += units - 1;
    }
    return { read: read, written: written };
  }
}

var decoderState = new WeakMap();

class TextDecoder {
  constructor(label, options) {
    var name = label === undefined ? "utf-8" : String(label).trim().toLowerCase();
    if (UTF8_LABELS.indexOf(name) === -1) {
      throw new RangeError("TextDecoder: the encoding " + JSON.stringify(String(label)) + " is not supported in a dynflow script; only utf-8 is");
    }
    options = options || {};
    decoderState.set(this, { fatal: !!options.fatal, ignoreBOM: !!options.ignoreBOM, pending: [], started: false });
  }
  get encoding() { return "utf-8"; }
  get fatal() { return decoderState.get(this).fatal; }
  get ignoreBOM() { return decoderState.get(this).ignoreBOM; }
  decode(input, options) {
    var state = decoderState.get(this);
    var stream = !!(options && options.stream);
    var bytes = state.pending.concat(Array.prototype.slice.call(bytesOf(input, "TextDecoder.decode")));
    var result = utf8Decode(bytes, state.fatal, stream);
    state.pending = result.rest;
    var text = result.text;
    if (!state.started && !state.ignoreBOM && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    state.started = stream && (state.started || text.length > 0 || state.pending.length > 0);
    if (!stream) { state.pending = []; state.started = false; }
    return text;
  }
}

function invalidCharacter(message) {
  var error = new Error(message);
  error.name = "InvalidCharacterError";
  return error;
}

var BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function btoa(data) {
  if (arguments.length === 0) throw new TypeError("btoa: 1 argument required");
  data = String(data);
  var out = "";
  for (var i = 0; i < data.length; i += 3) {
    var a = data.charCodeAt(i), b = data.charCodeAt(i + 1), c = data.charCodeAt(i + 2);
    if (a > 255 || b > 255 || c > 255) throw invalidCharacter("btoa: the string contains characters outside of Latin1; encode it as UTF-8 bytes first");
    var triple = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += BASE64[(triple >> 18) & 63] + BASE64[(triple >> 12) & 63];
    out += i + 1 < data.length ? BASE64[(triple >> 6) & 63] : "=";
    out += i + 2 < data.length ? BASE64[triple & 63] : "=";
  }
  return out;
}

function atob(data) {
  if (arguments.length === 0) throw new TypeError("atob: 1 argument required");
  data = String(data).replace(/[\t\n\f\r ]/g, "");
  if (data.length % 4 === 0) data = data.replace(/==?$/, "");
  if (data.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(data)) throw invalidCharacter("atob: the string is not correctly encoded base64");
  var out = "";
  var buffer = 0, bits = 0;
  for (var i = 0; i < data.length; i++) {
    buffer = (buffer << 6) | BASE64.indexOf(data[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 255);
    }
  }
  return out;
}
`;
