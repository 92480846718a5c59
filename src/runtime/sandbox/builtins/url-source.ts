/**
 * Guest source of `URL` and `URLSearchParams`, after the WHATWG URL standard:
 * special schemes (http, https, ws, wss, ftp, file) with their default ports,
 * host parsing (lower case, IPv4 in every form the standard reads, IPv6,
 * internationalised names to punycode), dot segments, percent-encoding sets,
 * relative references against a base, and a `searchParams` kept in step with
 * `search`. Plain JavaScript evaluated inside the sandbox (it needs
 * `utf8Encode`/`utf8Decode` from the encoding source).
 */
export const URL_SOURCE = String.raw`
var SPECIAL = { "ftp:": "21", "file:": "", "http:": "80", "https:": "443", "ws:": "80", "wss:": "443" };

function invalidUrl(input, why) {
  var error = new TypeError("Invalid URL: " + JSON.stringify(String(input).slice(0, 200)) + (why ? " (" + why + ")" : ""));
  error.code = "ERR_INVALID_URL";
  return error;
}

function inC0(c) { return c < 0x20 || c > 0x7e; }
function inFragmentSet(c) { return inC0(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60; }
function inQuerySet(c) { return inC0(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e; }
function inSpecialQuerySet(c) { return inQuerySet(c) || c === 0x27; }
function inPathSet(c) { return inQuerySet(c) || c === 0x3f || c === 0x5e || c === 0x60 || c === 0x7b || c === 0x7d; }
function inUserinfoSet(c) { return inPathSet(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 || (c >= 0x5b && c <= 0x5d) || c === 0x7c; }
function inFormSet(c) { return !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2a || c === 0x2d || c === 0x2e || c === 0x5f); }

function hex2(b) { return "%" + (b < 16 ? "0" : "") + b.toString(16).toUpperCase(); }

function percentEncode(text, inSet, spaceAsPlus) {
  var out = "";
  for (var i = 0; i < text.length; i++) {
    var c = text.charCodeAt(i);
    if (spaceAsPlus && c === 0x20) { out += "+"; continue; }
    if (c < 0x80 && !inSet(c)) { out += text[i]; continue; }
    var units = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    var bytes = utf8Encode(text.slice(i, i + units));
    for (var k = 0; k < bytes.length; k++) out += bytes[k] < 0x80 && !inSet(bytes[k]) ? String.fromCharCode(bytes[k]) : hex2(bytes[k]);
    i += units - 1;
  }
  return out;
}

function percentDecodeBytes(text) {
  var bytes = utf8Encode(text);
  var out = [];
  for (var i = 0; i < bytes.length; i++) {
    var b = bytes[i];
    if (b === 0x25 && i + 2 < bytes.length) {
      var h = String.fromCharCode(bytes[i + 1], bytes[i + 2]);
      if (/^[0-9A-Fa-f]{2}$/.test(h)) { out.push(parseInt(h, 16)); i += 2; continue; }
    }
    out.push(b);
  }
  return out;
}

function percentDecode(text) { return utf8Decode(percentDecodeBytes(text), false, false).text; }

// --- hosts ---

function parseIPv4Number(part) {
  if (part === "") return NaN;
  var radix = 10;
  if (/^0[xX]/.test(part)) { part = part.slice(2); radix = 16; }
  else if (part.length > 1 && part[0] === "0") { part = part.slice(1); radix = 8; }
  if (part === "") return 0;
  var valid = radix === 16 ? /^[0-9A-Fa-f]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  return valid.test(part) ? parseInt(part, radix) : NaN;
}

function endsInNumber(host) {
  var parts = host.split(".");
  if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
  var last = parts[parts.length - 1];
  return /^[0-9]+$/.test(last) || !isNaN(parseIPv4Number(last));
}

function parseIPv4(host, input) {
  var parts = host.split(".");
  if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
  if (parts.length > 4) throw invalidUrl(input, "an IPv4 address has at most 4 parts");
  var numbers = parts.map(parseIPv4Number);
  if (numbers.some(function (n) { return isNaN(n); })) throw invalidUrl(input, "invalid IPv4 address");
  for (var i = 0; i < numbers.length - 1; i++) if (numbers[i] > 255) throw invalidUrl(input, "invalid IPv4 address");
  if (numbers[numbers.length - 1] >= Math.pow(256, 5 - numbers.length)) throw invalidUrl(input, "invalid IPv4 address");
  var ipv4 = numbers[numbers.length - 1];
  for (var j = 0; j < numbers.length - 1; j++) ipv4 += numbers[j] * Math.pow(256, 3 - j);
  var out = [];
  for (var k = 0; k < 4; k++) { out.unshift(String(ipv4 % 256)); ipv4 = Math.floor(ipv4 / 256); }
  return out.join(".");
}

function parseIPv6(text, input) {
  var pieces = [0, 0, 0, 0, 0, 0, 0, 0];
  var index = 0, compress = null, i = 0;
  if (text[0] === ":") {
    if (text[1] !== ":") throw invalidUrl(input, "invalid IPv6 address");
    i = 2; index = 1; compress = 1;
  }
  while (i < text.length) {
    if (index === 8) throw invalidUrl(input, "invalid IPv6 address");
    if (text[i] === ":") {
      if (compress !== null) throw invalidUrl(input, "invalid IPv6 address");
      i++; index++; compress = index; continue;
    }
    var value = 0, length = 0;
    while (length < 4 && i < text.length && /[0-9A-Fa-f]/.test(text[i])) { value = value * 16 + parseInt(text[i], 16); i++; length++; }
    if (text[i] === ".") {
      if (length === 0 || index > 6) throw invalidUrl(input, "invalid IPv6 address");
      var v4 = parseIPv4(text.slice(i - length), input).split(".").map(Number);
      pieces[index] = v4[0] * 256 + v4[1];
      pieces[index + 1] = v4[2] * 256 + v4[3];
      index += 2;
      i = text.length;
      break;
    }
    if (text[i] === ":") { i++; if (i === text.length) throw invalidUrl(input, "invalid IPv6 address"); }
    else if (i < text.length) throw invalidUrl(input, "invalid IPv6 address");
    pieces[index++] = value;
  }
  if (compress !== null) {
    var swaps = index - compress;
    index = 7;
    while (index !== 0 && swaps > 0) {
      var t = pieces[compress + swaps - 1];
      pieces[compress + swaps - 1] = pieces[index];
      pieces[index] = t;
      index--; swaps--;
    }
  } else if (index !== 8) throw invalidUrl(input, "invalid IPv6 address");
  // Serialise: the first longest run of two or more zero pieces becomes "::".
  var best = -1, bestLength = 1, run = -1, runLength = 0;
  for (var p = 0; p < 8; p++) {
    if (pieces[p] === 0) { if (run === -1) { run = p; runLength = 0; } runLength++; if (runLength > bestLength) { best = run; bestLength = runLength; } }
    else run = -1;
  }
  var out = "";
  for (var q = 0; q < 8; q++) {
    if (q === best) { out += q === 0 ? "::" : ":"; q += bestLength - 1; continue; }
    out += pieces[q].toString(16) + (q < 7 ? ":" : "");
  }
  return "[" + out + "]";
}

var PUNY = { base: 36, tmin: 1, tmax: 26, skew: 38, damp: 700, bias: 72, n: 128 };

function punycode(label) {
  var codes = Array.from(label).map(function (ch) { return ch.codePointAt(0); });
  var out = codes.filter(function (c) { return c < 0x80; }).map(function (c) { return String.fromCharCode(c); }).join("");
  var basic = out.length, handled = basic;
  if (basic > 0) out += "-";
  var n = PUNY.n, delta = 0, bias = PUNY.bias;
  function digit(d) { return String.fromCharCode(d + 22 + 75 * (d < 26)); }
  function adapt(delta, count, first) {
    var k = 0;
    delta = first ? Math.floor(delta / PUNY.damp) : delta >> 1;
    delta += Math.floor(delta / count);
    for (; delta > ((PUNY.base - PUNY.tmin) * PUNY.tmax) >> 1; k += PUNY.base) delta = Math.floor(delta / (PUNY.base - PUNY.tmin));
    return Math.floor(k + ((PUNY.base - PUNY.tmin + 1) * delta) / (delta + PUNY.skew));
  }
  while (handled < codes.length) {
    var m = Math.min.apply(null, codes.filter(function (c) { return c >= n; }));
    delta += (m - n) * (handled + 1);
    n = m;
    for (var i = 0; i < codes.length; i++) {
      var c = codes[i];
      if (c < n) delta++;
      if (c === n) {
        var q = delta;
        for (var k = PUNY.base; ; k += PUNY.base) {
          var t = k <= bias ? PUNY.tmin : k >= bias + PUNY.tmax ? PUNY.tmax : k - bias;
          if (q < t) break;
          out += digit(t + ((q - t) % (PUNY.base - t)));
          q = Math.floor((q - t) / (PUNY.base - t));
        }
        out += digit(q);
        bias = adapt(delta, handled + 1, handled === basic);
        delta = 0;
        handled++;
      }
    }
    delta++; n++;
  }
  return out;
}

var FORBIDDEN_HOST = /[\u0000\t\n\r #/:<>?@[\\\]^|]/;
var FORBIDDEN_DOMAIN = /[\u0000-\u001f #%/:<>?@[\\\]^|\u007f]/;

function parseHost(text, special, input) {
  if (text[0] === "[") {
    if (text[text.length - 1] !== "]") throw invalidUrl(input, "unclosed IPv6 address");
    return parseIPv6(text.slice(1, -1), input);
  }
  if (!special) {
    if (FORBIDDEN_HOST.test(text)) throw invalidUrl(input, "forbidden character in host");
    return percentEncode(text, inC0);
  }
  var domain = percentDecode(text).normalize("NFC").toLowerCase().replace(/[\u3002\uff0e\uff61]/g, ".");
  var ascii = domain.split(".").map(function (label) {
    return /[^\u0000-\u007f]/.test(label) ? "xn--" + punycode(label) : label;
  }).join(".");
  if (ascii === "" ) throw invalidUrl(input, "empty host");
  if (FORBIDDEN_DOMAIN.test(ascii)) throw invalidUrl(input, "forbidden character in host");
  return endsInNumber(ascii) ? parseIPv4(ascii, input) : ascii;
}

// --- paths ---

function isSingleDot(s) { return s === "." || s.toLowerCase() === "%2e"; }
function isDoubleDot(s) { s = s.toLowerCase(); return s === ".." || s === ".%2e" || s === "%2e." || s === "%2e%2e"; }

function normalizeSegments(segments) {
  var out = [];
  for (var i = 0; i < segments.length; i++) {
    var s = segments[i];
    var last = i === segments.length - 1;
    if (isDoubleDot(s)) { out.pop(); if (last) out.push(""); }
    else if (isSingleDot(s)) { if (last) out.push(""); }
    else out.push(percentEncode(s, inPathSet));
  }
  return out;
}

// --- the record ---

function parseUrl(input, base) {
  var raw = String(input);
  var text = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
  var record = { scheme: "", username: "", password: "", host: null, port: "", path: [], opaque: null, query: null, fragment: null };
  var rest = text;
  var hashAt = rest.indexOf("#");
  if (hashAt !== -1) { record.fragment = percentEncode(rest.slice(hashAt + 1), inFragmentSet); rest = rest.slice(0, hashAt); }
  var schemeMatch = /^([A-Za-z][A-Za-z0-9+.\-]*):/.exec(rest);
  if (schemeMatch) {
    record.scheme = schemeMatch[1].toLowerCase() + ":";
    rest = rest.slice(schemeMatch[0].length);
    var special = Object.prototype.hasOwnProperty.call(SPECIAL, record.scheme);
    if (special && base && base.scheme === record.scheme && !/^[\/\\]/.test(rest)) return resolveRelative(record, rest, base, raw);
    if (record.scheme === "file:") return parseFile(record, rest, base, raw);
    if (special) return parseAfterAuthorityStart(record, rest.replace(/^[\/\\]*/, ""), true, raw);
    if (rest.slice(0, 2) === "//") return parseAfterAuthorityStart(record, rest.slice(2), false, raw);
    var queryAt = rest.indexOf("?");
    if (queryAt !== -1) { record.query = percentEncode(rest.slice(queryAt + 1), inQuerySet); rest = rest.slice(0, queryAt); }
    if (rest[0] === "/") { record.path = normalizeSegments(rest.slice(1).split("/")); return record; }
    record.opaque = percentEncode(rest, inC0);
    return record;
  }
  if (!base) throw invalidUrl(raw, "a relative URL needs a base");
  if (base.opaque !== null) {
    if (rest === "" && hashAt !== -1) { var kept = copyRecord(base); kept.fragment = record.fragment; return kept; }
    throw invalidUrl(raw, "a relative URL cannot be resolved against " + serialize(base));
  }
  record.scheme = base.scheme;
  return resolveRelative(record, rest, base, raw);
}

function resolveRelative(record, rest, base, raw) {
  var special = Object.prototype.hasOwnProperty.call(SPECIAL, record.scheme);
  var slash = special ? /^[\/\\]{2}/ : /^\/\//;
  if (slash.test(rest)) return parseAfterAuthorityStart(record, rest.slice(2), special, raw);
  record.username = base.username; record.password = base.password; record.host = base.host; record.port = base.port;
  var queryAt = rest.indexOf("?");
  var pathText = queryAt === -1 ? rest : rest.slice(0, queryAt);
  if (queryAt !== -1) record.query = percentEncode(rest.slice(queryAt + 1), special ? inSpecialQuerySet : inQuerySet);
  if (pathText === "") {
    record.path = base.path.slice();
    if (queryAt === -1) record.query = base.query;
    return record;
  }
  var segments = pathText.split(special ? /[\/\\]/ : /\//);
  if (segments[0] === "") record.path = normalizeSegments(segments.slice(1));
  else record.path = normalizeSegments(base.path.slice(0, -1).concat(segments));
  return record;
}

function parseAfterAuthorityStart(record, rest, special, raw) {
  var end = rest.search(special ? /[\/\\?]/ : /[\/?]/);
  var authority = end === -1 ? rest : rest.slice(0, end);
  rest = end === -1 ? "" : rest.slice(end);
  var at = authority.lastIndexOf("@");
  if (at !== -1) {
    var userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    var colon = userinfo.indexOf(":");
    record.username = percentEncode(colon === -1 ? userinfo : userinfo.slice(0, colon), inUserinfoSet);
    record.password = colon === -1 ? "" : percentEncode(userinfo.slice(colon + 1), inUserinfoSet);
  }
  var portAt = authority[0] === "[" ? authority.indexOf(":", authority.indexOf("]")) : authority.lastIndexOf(":");
  var hostText = portAt === -1 ? authority : authority.slice(0, portAt);
  var portText = portAt === -1 ? "" : authority.slice(portAt + 1);
  if (portText !== "") {
    if (!/^[0-9]+$/.test(portText) || Number(portText) > 65535) throw invalidUrl(raw, "invalid port");
    portText = String(Number(portText));
    if (SPECIAL[record.scheme] === portText) portText = "";
  }
  if (record.scheme === "file:") {
    record.host = hostText === "" || hostText.toLowerCase() === "localhost" ? "" : parseHost(hostText, true, raw);
  } else if (hostText === "") {
    if (special) throw invalidUrl(raw, "empty host");
    record.host = "";
    if (portText !== "" || record.username !== "" || record.password !== "") throw invalidUrl(raw, "credentials or a port without a host");
  } else record.host = parseHost(hostText, special, raw);
  record.port = portText;
  var queryAt = rest.indexOf("?");
  var pathText = queryAt === -1 ? rest : rest.slice(0, queryAt);
  if (queryAt !== -1) record.query = percentEncode(rest.slice(queryAt + 1), special ? inSpecialQuerySet : inQuerySet);
  var segments = pathText.split(special ? /[\/\\]/ : /\//);
  record.path = pathText === "" ? (special ? [""] : []) : normalizeSegments(segments.slice(1));
  return record;
}

// file: has a host only after two slashes ("file://host/p", "file:///p"); "file:/p" and "file:p" have an empty one.
function parseFile(record, rest, base, raw) {
  if (/^[\/\\]{2}/.test(rest)) return parseAfterAuthorityStart(record, rest.slice(2), true, raw);
  if (base && base.scheme === "file:" && !/^[\/\\]/.test(rest)) return resolveRelative(record, rest, base, raw);
  record.host = "";
  var queryAt = rest.indexOf("?");
  var pathText = queryAt === -1 ? rest : rest.slice(0, queryAt);
  if (queryAt !== -1) record.query = percentEncode(rest.slice(queryAt + 1), inSpecialQuerySet);
  record.path = normalizeSegments(pathText.replace(/^[\/\\]/, "").split(/[\/\\]/));
  return record;
}

function copyRecord(record) {
  return { scheme: record.scheme, username: record.username, password: record.password, host: record.host, port: record.port, path: record.path.slice(), opaque: record.opaque, query: record.query, fragment: record.fragment };
}

function pathnameOf(record) {
  if (record.opaque !== null) return record.opaque;
  return record.path.length === 0 ? "" : "/" + record.path.join("/");
}

function hostOf(record) { return record.host === null ? "" : record.port === "" ? record.host : record.host + ":" + record.port; }

function serialize(record, excludeFragment) {
  var out = record.scheme;
  if (record.host !== null) {
    out += "//";
    if (record.username !== "" || record.password !== "") out += record.username + (record.password !== "" ? ":" + record.password : "") + "@";
    out += hostOf(record);
  } else if (record.opaque === null && record.path.length > 1 && record.path[0] === "") out += "/.";
  out += pathnameOf(record);
  if (record.query !== null) out += "?" + record.query;
  if (!excludeFragment && record.fragment !== null) out += "#" + record.fragment;
  return out;
}

// --- URLSearchParams ---

function parseForm(text) {
  var list = [];
  String(text).split("&").forEach(function (part) {
    if (part === "") return;
    var eq = part.indexOf("=");
    var name = eq === -1 ? part : part.slice(0, eq);
    var value = eq === -1 ? "" : part.slice(eq + 1);
    list.push([percentDecode(name.replace(/\+/g, " ")), percentDecode(value.replace(/\+/g, " "))]);
  });
  return list;
}

function serializeForm(list) {
  return list.map(function (pair) { return percentEncode(pair[0], inFormSet, true) + "=" + percentEncode(pair[1], inFormSet, true); }).join("&");
}

function toUSVString(value) { return String(value).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/g, function (m) { return m.length === 2 ? m[0] + "\ufffd" : "\ufffd"; }); }

var paramsState = new WeakMap();

class URLSearchParams {
  constructor(init) {
    var list = [];
    if (init instanceof URLSearchParams) list = paramsState.get(init).list.map(function (p) { return p.slice(); });
    else if (init !== null && typeof init === "object" && typeof init[Symbol.iterator] === "function") {
      for (var pair of init) {
        var items = Array.from(pair);
        if (items.length !== 2) throw new TypeError("URLSearchParams: each pair must have exactly two items");
        list.push([toUSVString(items[0]), toUSVString(items[1])]);
      }
    } else if (init !== null && typeof init === "object") {
      Object.keys(init).forEach(function (key) { list.push([toUSVString(key), toUSVString(init[key])]); });
    } else if (init !== undefined && init !== null) {
      var text = toUSVString(init);
      list = parseForm(text[0] === "?" ? text.slice(1) : text);
    }
    paramsState.set(this, { list: list, url: null });
  }
  get size() { return paramsState.get(this).list.length; }
  append(name, value) { var s = paramsState.get(this); s.list.push([toUSVString(name), toUSVString(value)]); update(s); }
  delete(name, value) {
    var s = paramsState.get(this);
    name = toUSVString(name);
    s.list = s.list.filter(function (p) { return !(p[0] === name && (value === undefined || p[1] === toUSVString(value))); });
    update(s);
  }
  get(name) { name = toUSVString(name); var found = paramsState.get(this).list.find(function (p) { return p[0] === name; }); return found ? found[1] : null; }
  getAll(name) { name = toUSVString(name); return paramsState.get(this).list.filter(function (p) { return p[0] === name; }).map(function (p) { return p[1]; }); }
  has(name, value) { name = toUSVString(name); return paramsState.get(this).list.some(function (p) { return p[0] === name && (value === undefined || p[1] === toUSVString(value)); }); }
  set(name, value) {
    var s = paramsState.get(this);
    name = toUSVString(name); value = toUSVString(value);
    var index = s.list.findIndex(function (p) { return p[0] === name; });
    if (index === -1) s.list.push([name, value]);
    else { s.list[index][1] = value; s.list = s.list.filter(function (p, i) { return i <= index || p[0] !== name; }); }
    update(s);
  }
  sort() {
    var s = paramsState.get(this);
    s.list = s.list.map(function (p, i) { return [p, i]; }).sort(function (a, b) { return a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1]; }).map(function (x) { return x[0]; });
    update(s);
  }
  forEach(callback, thisArg) { var list = paramsState.get(this).list; for (var i = 0; i < list.length; i++) callback.call(thisArg, list[i][1], list[i][0], this); }
  *entries() { var list = paramsState.get(this).list; for (var i = 0; i < list.length; i++) yield [list[i][0], list[i][1]]; }
  *keys() { for (var pair of this.entries()) yield pair[0]; }
  *values() { for (var pair of this.entries()) yield pair[1]; }
  [Symbol.iterator]() { return this.entries(); }
  toString() { return serializeForm(paramsState.get(this).list); }
  get [Symbol.toStringTag]() { return "URLSearchParams"; }
}

function update(state) {
  if (state.url === null) return;
  var record = urlState.get(state.url).record;
  var text = serializeForm(state.list);
  record.query = text === "" ? null : text;
}

// --- URL ---

var urlState = new WeakMap();

function recordOf(url) {
  var state = urlState.get(url);
  if (state === undefined) throw new TypeError("not a URL");
  return state.record;
}

function parseBase(base) { return base === undefined ? undefined : recordOf(base instanceof URL ? base : new URL(String(base))); }

class URL {
  constructor(url, base) {
    if (arguments.length === 0) throw new TypeError("URL: 1 argument required");
    var record = parseUrl(url, parseBase(base));
    var params = new URLSearchParams(record.query === null ? "" : record.query);
    paramsState.get(params).url = this;
    urlState.set(this, { record: record, params: params });
  }
  static canParse(url, base) { try { new URL(url, base); return true; } catch (error) { return false; } }
  static parse(url, base) { try { return new URL(url, base); } catch (error) { return null; } }
  get href() { return serialize(recordOf(this)); }
  set href(value) {
    var record = parseUrl(value);
    var state = urlState.get(this);
    state.record = record;
    paramsState.get(state.params).list = record.query === null ? [] : parseForm(record.query);
  }
  get origin() {
    var r = recordOf(this);
    if (r.scheme === "blob:" && r.opaque !== null) return URL.parse(r.opaque) ? URL.parse(r.opaque).origin : "null";
    return Object.prototype.hasOwnProperty.call(SPECIAL, r.scheme) && r.scheme !== "file:" ? r.scheme + "//" + hostOf(r) : "null";
  }
  get protocol() { return recordOf(this).scheme; }
  set protocol(value) {
    var r = recordOf(this);
    var scheme = String(value).replace(/:.*$/, "").toLowerCase() + ":";
    if (!/^[a-z][a-z0-9+.\-]*:$/.test(scheme)) return;
    var fromSpecial = Object.prototype.hasOwnProperty.call(SPECIAL, r.scheme);
    var toSpecial = Object.prototype.hasOwnProperty.call(SPECIAL, scheme);
    if (fromSpecial !== toSpecial) return;
    r.scheme = scheme;
    if (SPECIAL[scheme] === r.port) r.port = "";
  }
  get username() { return recordOf(this).username; }
  set username(value) { var r = recordOf(this); if (r.host === null || r.host === "" || r.scheme === "file:") return; r.username = percentEncode(String(value), inUserinfoSet); }
  get password() { return recordOf(this).password; }
  set password(value) { var r = recordOf(this); if (r.host === null || r.host === "" || r.scheme === "file:") return; r.password = percentEncode(String(value), inUserinfoSet); }
  get host() { return hostOf(recordOf(this)); }
  set host(value) {
    var r = recordOf(this);
    if (r.opaque !== null) return;
    try {
      var parsed = parseUrl(r.scheme + "//" + String(value).replace(/[\/\\?#].*$/, "") + "/");
      r.host = parsed.host; if (/:/.test(String(value).replace(/^\[.*\]/, ""))) r.port = parsed.port;
    } catch (error) { /* an invalid host leaves the URL as it was, as in browsers */ }
  }
  get hostname() { var r = recordOf(this); return r.host === null ? "" : r.host; }
  set hostname(value) {
    var r = recordOf(this);
    if (r.opaque !== null) return;
    try { r.host = parseUrl(r.scheme + "//" + String(value).replace(/[:\/\\?#].*$/, "") + "/").host; } catch (error) { /* unchanged */ }
  }
  get port() { return recordOf(this).port; }
  set port(value) {
    var r = recordOf(this);
    if (r.host === null || r.host === "" || r.scheme === "file:") return;
    var digits = /^[0-9]*/.exec(String(value))[0];
    if (digits === "") { if (String(value) === "") r.port = ""; return; }
    if (Number(digits) > 65535) return;
    r.port = SPECIAL[r.scheme] === String(Number(digits)) ? "" : String(Number(digits));
  }
  get pathname() { return pathnameOf(recordOf(this)); }
  set pathname(value) {
    var r = recordOf(this);
    if (r.opaque !== null) return;
    var special = Object.prototype.hasOwnProperty.call(SPECIAL, r.scheme);
    var text = String(value);
    var segments = text.split(special ? /[\/\\]/ : /\//);
    if (/^[\/\\]/.test(text) || special) r.path = normalizeSegments(/^[\/\\]/.test(text) ? segments.slice(1) : segments);
    else r.path = normalizeSegments(segments);
  }
  get search() { var q = recordOf(this).query; return q === null || q === "" ? "" : "?" + q; }
  set search(value) {
    var state = urlState.get(this);
    var text = String(value);
    if (text[0] === "?") text = text.slice(1);
    var special = Object.prototype.hasOwnProperty.call(SPECIAL, state.record.scheme);
    state.record.query = text === "" ? null : percentEncode(text, special ? inSpecialQuerySet : inQuerySet);
    paramsState.get(state.params).list = parseForm(text);
  }
  get searchParams() { return urlState.get(this).params; }
  get hash() { var f = recordOf(this).fragment; return f === null || f === "" ? "" : "#" + f; }
  set hash(value) {
    var text = String(value);
    if (text[0] === "#") text = text.slice(1);
    recordOf(this).fragment = text === "" ? null : percentEncode(text, inFragmentSet);
  }
  toString() { return this.href; }
  toJSON() { return this.href; }
  get [Symbol.toStringTag]() { return "URL"; }
}
`;
