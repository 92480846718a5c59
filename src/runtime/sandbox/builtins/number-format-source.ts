/**
 * Guest source of `Intl.NumberFormat` for English (every locale formats as
 * en-US; `resolvedOptions().locale` says so), and of `toLocaleString` on
 * numbers and bigints, which delegates to it. Decimal, percent, currency and
 * unit styles, compact notation, grouping, sign display, fraction and
 * significant digits, rounding half away from zero on the number's shortest
 * decimal form (as ICU does), `format`, `formatToParts` and
 * `resolvedOptions`. Other `Intl` services throw an error that says so.
 */
export const NUMBER_FORMAT_SOURCE = String.raw`
var NBSP = "\u00a0";
var CURRENCY_SYMBOLS = { USD: "$", EUR: "\u20ac", GBP: "\u00a3", JPY: "\u00a5", CNY: "CN\u00a5", INR: "\u20b9", CAD: "CA$", AUD: "A$", KRW: "\u20a9", BRL: "R$", MXN: "MX$", HKD: "HK$", NZD: "NZ$", ILS: "\u20aa", VND: "\u20ab", TWD: "NT$", PHP: "\u20b1" };
var CURRENCY_NAMES = { USD: ["US dollar", "US dollars"], EUR: ["euro", "euros"], GBP: ["British pound", "British pounds"], JPY: ["Japanese yen", "Japanese yen"], CNY: ["Chinese yuan", "Chinese yuan"], INR: ["Indian rupee", "Indian rupees"], CAD: ["Canadian dollar", "Canadian dollars"], AUD: ["Australian dollar", "Australian dollars"], CHF: ["Swiss franc", "Swiss francs"] };
var ZERO_DIGIT_CURRENCIES = ["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "PYG", "XAF", "XOF"];
// unit: [short singular, short plural, long singular, long plural, narrow]; a leading space means "number, space, unit".
var UNITS = {
  percent: ["%", "%", " percent", " percent", "%"],
  byte: [" byte", " byte", " byte", " bytes", "B"], kilobyte: [" kB", " kB", " kilobyte", " kilobytes", "kB"], megabyte: [" MB", " MB", " megabyte", " megabytes", "MB"],
  gigabyte: [" GB", " GB", " gigabyte", " gigabytes", "GB"], terabyte: [" TB", " TB", " terabyte", " terabytes", "TB"],
  bit: [" bit", " bit", " bit", " bits", "bit"], kilobit: [" kb", " kb", " kilobit", " kilobits", "kb"], megabit: [" Mb", " Mb", " megabit", " megabits", "Mb"],
  millisecond: [" ms", " ms", " millisecond", " milliseconds", "ms"], second: [" sec", " sec", " second", " seconds", "s"], minute: [" min", " min", " minute", " minutes", "m"],
  hour: [" hr", " hr", " hour", " hours", "h"], day: [" day", " days", " day", " days", "d"], week: [" wk", " wks", " week", " weeks", "w"],
  month: [" mth", " mths", " month", " months", "m"], year: [" yr", " yrs", " year", " years", "y"],
  meter: [" m", " m", " meter", " meters", "m"], kilometer: [" km", " km", " kilometer", " kilometers", "km"], centimeter: [" cm", " cm", " centimeter", " centimeters", "cm"],
  kilogram: [" kg", " kg", " kilogram", " kilograms", "kg"], gram: [" g", " g", " gram", " grams", "g"], liter: [" L", " L", " liter", " liters", "L"],
  celsius: ["\u00b0C", "\u00b0C", " degree Celsius", " degrees Celsius", "\u00b0C"], fahrenheit: ["\u00b0F", "\u00b0F", " degree Fahrenheit", " degrees Fahrenheit", "\u00b0"],
};

function intlOption(options, key, allowed, fallback) {
  var value = options[key];
  if (value === undefined) return fallback;
  value = String(value);
  if (allowed && allowed.indexOf(value) === -1) throw new RangeError("Intl.NumberFormat: " + key + " must be one of " + allowed.join(", ") + ", got " + JSON.stringify(value));
  return value;
}

function digitsOption(options, key, min, max, fallback) {
  var value = options[key];
  if (value === undefined) return fallback;
  value = Number(value);
  if (!(value >= min && value <= max) || Math.floor(value) !== value) throw new RangeError("Intl.NumberFormat: " + key + " must be a whole number from " + min + " to " + max);
  return value;
}

// The number's shortest decimal form as { digits, point }: digits "12345", point 2 means 12.345.
function decimalOf(x) {
  if (typeof x === "bigint") { var s = String(x < 0n ? -x : x); return { digits: s, point: s.length }; }
  var text = String(Math.abs(x));
  var match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  var digits = match[1] + (match[2] || "");
  var point = match[1].length + (match[3] ? Number(match[3]) : 0);
  var lead = /^0*/.exec(digits)[0].length;
  if (lead === digits.length) return { digits: "0", point: 1 };
  return { digits: digits.slice(lead), point: point - lead };
}

// Rounds half away from zero to "keep" digits after the decimal point (or significant digits).
function roundDecimal(d, keep) {
  if (keep >= d.digits.length) return d;
  if (keep < 0) return { digits: "0", point: 1 };
  var head = d.digits.slice(0, keep);
  if (d.digits.charCodeAt(keep) >= 53) {
    var carried = "";
    var i = head.length - 1;
    for (; i >= 0; i--) {
      if (head[i] === "9") { carried = "0" + carried; continue; }
      carried = String.fromCharCode(head.charCodeAt(i) + 1) + carried;
      break;
    }
    if (i < 0) return { digits: "1" + carried, point: d.point + 1 };
    head = head.slice(0, i) + carried;
  }
  return head === "" || /^0+$/.test(head) ? { digits: "0", point: 1 } : { digits: head, point: d.point };
}

function shift(d, by) { return { digits: d.digits, point: d.point + by }; }

function splitDecimal(d, minInt, minFrac, maxFrac) {
  var digits = d.digits, point = d.point;
  var intPart = point <= 0 ? "0" : (digits.slice(0, point) + "0".repeat(Math.max(0, point - digits.length)));
  var fracPart = point >= digits.length ? "" : (point < 0 ? "0".repeat(-point) + digits : digits.slice(point));
  fracPart = fracPart.replace(/0+$/, "");
  if (maxFrac !== undefined && fracPart.length > maxFrac) fracPart = fracPart.slice(0, maxFrac);
  while (fracPart.length < minFrac) fracPart += "0";
  intPart = intPart.replace(/^0+(?=\d)/, "");
  while (intPart.length < minInt) intPart = "0" + intPart;
  return { integer: intPart, fraction: fracPart };
}

var nfState = new WeakMap();
var nfBound = new WeakMap();

class NumberFormat {
  constructor(locales, options) {
    options = options === undefined ? {} : Object(options);
    var style = intlOption(options, "style", ["decimal", "percent", "currency", "unit"], "decimal");
    var currency = options.currency === undefined ? undefined : String(options.currency).toUpperCase();
    if (style === "currency" && currency === undefined) throw new TypeError("Intl.NumberFormat: currency is required with style currency");
    if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) throw new RangeError("Intl.NumberFormat: invalid currency code " + JSON.stringify(options.currency));
    var unit = options.unit === undefined ? undefined : String(options.unit);
    if (style === "unit" && unit === undefined) throw new TypeError("Intl.NumberFormat: unit is required with style unit");
    if (style === "unit" && !Object.prototype.hasOwnProperty.call(UNITS, unit)) throw new RangeError("Intl.NumberFormat: the unit " + JSON.stringify(unit) + " is not supported in a dynflow script");
    var notation = intlOption(options, "notation", ["standard", "compact", "scientific", "engineering"], "standard");
    var currencyDigits = currency !== undefined && ZERO_DIGIT_CURRENCIES.indexOf(currency) !== -1 ? 0 : 2;
    var defaultMin = style === "currency" && notation !== "compact" ? currencyDigits : 0;
    var defaultMax = style === "currency" && notation !== "compact" ? currencyDigits : style === "percent" || notation === "compact" ? 0 : 3;
    var minFD = digitsOption(options, "minimumFractionDigits", 0, 100, undefined);
    var maxFD = digitsOption(options, "maximumFractionDigits", 0, 100, undefined);
    if (minFD !== undefined && maxFD !== undefined && minFD > maxFD) throw new RangeError("Intl.NumberFormat: maximumFractionDigits is less than minimumFractionDigits");
    var resolved = {
      locale: "en-US",
      numberingSystem: "latn",
      style: style,
      minimumIntegerDigits: digitsOption(options, "minimumIntegerDigits", 1, 21, 1),
      minimumFractionDigits: minFD !== undefined ? minFD : Math.min(defaultMin, maxFD !== undefined ? maxFD : defaultMin),
      maximumFractionDigits: maxFD !== undefined ? maxFD : Math.max(defaultMax, minFD !== undefined ? minFD : 0),
      useGrouping: options.useGrouping === undefined ? (notation === "compact" ? "min2" : "auto") : options.useGrouping === false || options.useGrouping === "false" ? false : options.useGrouping === true ? "always" : intlOption(options, "useGrouping", ["always", "auto", "min2"], "auto"),
      notation: notation,
      signDisplay: intlOption(options, "signDisplay", ["auto", "never", "always", "exceptZero", "negative"], "auto"),
      roundingMode: "halfExpand",
    };
    if (currency !== undefined) { resolved.currency = currency; resolved.currencyDisplay = intlOption(options, "currencyDisplay", ["symbol", "narrowSymbol", "code", "name"], "symbol"); resolved.currencySign = intlOption(options, "currencySign", ["standard", "accounting"], "standard"); }
    if (style === "unit") { resolved.unit = unit; resolved.unitDisplay = intlOption(options, "unitDisplay", ["short", "long", "narrow"], "short"); }
    if (notation === "compact") resolved.compactDisplay = intlOption(options, "compactDisplay", ["short", "long"], "short");
    if (options.minimumSignificantDigits !== undefined || options.maximumSignificantDigits !== undefined) {
      resolved.minimumSignificantDigits = digitsOption(options, "minimumSignificantDigits", 1, 21, 1);
      resolved.maximumSignificantDigits = digitsOption(options, "maximumSignificantDigits", resolved.minimumSignificantDigits, 21, 21);
    }
    nfState.set(this, resolved);
    var self = this;
    nfBound.set(this, function format(value) { return self.formatToParts(value).map(function (p) { return p.value; }).join(""); });
  }
  static supportedLocalesOf(locales) { return [].concat(locales === undefined ? [] : locales).filter(function (l) { return /^en(-|$)/i.test(String(l)); }).map(function () { return "en-US"; }); }
  get format() { return nfBound.get(this); }
  resolvedOptions() { return Object.assign({}, nfState.get(this)); }
  formatToParts(value) {
    var o = nfState.get(this);
    var x = typeof value === "bigint" ? value : Number(value);
    var negative = typeof x === "bigint" ? x < 0n : x < 0 || Object.is(x, -0);
    var parts = [];
    var isZero = typeof x === "bigint" ? x === 0n : x === 0;
    var number = [];
    if (typeof x === "number" && isNaN(x)) { number.push({ type: "nan", value: "NaN" }); negative = false; isZero = false; }
    else if (typeof x === "number" && !isFinite(x)) number.push({ type: "infinity", value: "\u221e" });
    else {
      var d = decimalOf(x);
      if (o.style === "percent") d = shift(d, 2);
      var compact = "";
      if (o.notation === "compact") {
        var scale = d.point > 12 ? 12 : d.point > 9 ? 9 : d.point > 6 ? 6 : d.point > 3 ? 3 : 0;
        d = shift(d, -scale);
        var kept = o.maximumSignificantDigits !== undefined ? o.maximumSignificantDigits : d.point >= 2 ? d.point + o.maximumFractionDigits : 2;
        d = roundDecimal(d, kept);
        if (d.point > 3 && scale < 12) { d = shift(d, -3); scale += 3; }
        var longNames = { 3: " thousand", 6: " million", 9: " billion", 12: " trillion" };
        compact = scale === 0 ? "" : o.compactDisplay === "long" ? longNames[scale] : { 3: "K", 6: "M", 9: "B", 12: "T" }[scale];
      } else if (o.maximumSignificantDigits !== undefined) d = roundDecimal(d, o.maximumSignificantDigits);
      else d = roundDecimal(d, d.point + o.maximumFractionDigits);
      var minFrac = o.minimumSignificantDigits !== undefined ? Math.max(0, o.minimumSignificantDigits - Math.max(d.point, 0)) : o.minimumFractionDigits;
      var split = splitDecimal(d, o.minimumIntegerDigits, minFrac, undefined);
      isZero = /^0*$/.test(split.integer + split.fraction);
      var grouping = o.useGrouping === "always" || (o.useGrouping === "auto" && split.integer.length > 3) || (o.useGrouping === "min2" && split.integer.length > 4);
      if (grouping && split.integer.length > 3) {
        var groups = [];
        for (var end = split.integer.length; end > 0; end -= 3) groups.unshift(split.integer.slice(Math.max(0, end - 3), end));
        groups.forEach(function (g, i) { if (i > 0) number.push({ type: "group", value: "," }); number.push({ type: "integer", value: g }); });
      } else number.push({ type: "integer", value: split.integer });
      if (split.fraction !== "") { number.push({ type: "decimal", value: "." }); number.push({ type: "fraction", value: split.fraction }); }
      if (compact !== "") number.push(compact[0] === " " ? { type: "literal", value: " " } : null, { type: "compact", value: compact.trim() });
      number = number.filter(Boolean);
    }
    var sign = "";
    if (o.signDisplay === "auto") sign = negative ? "-" : "";
    else if (o.signDisplay === "always") sign = negative ? "-" : "+";
    else if (o.signDisplay === "exceptZero") sign = isZero ? "" : negative ? "-" : "+";
    else if (o.signDisplay === "negative") sign = negative && !isZero ? "-" : "";
    var accounting = sign === "-" && o.currencySign === "accounting";
    if (accounting) parts.push({ type: "literal", value: "(" });
    else if (sign !== "") parts.push({ type: sign === "-" ? "minusSign" : "plusSign", value: sign });
    if (o.style === "currency") {
      var code = o.currency;
      if (o.currencyDisplay === "code") parts.push({ type: "currency", value: code }, { type: "literal", value: NBSP });
      else if (o.currencyDisplay !== "name") {
        var symbol = CURRENCY_SYMBOLS[code] || code;
        if (o.currencyDisplay === "narrowSymbol") symbol = symbol.replace(/^[A-Z]{1,3}(?=\$)/, "");
        parts.push({ type: "currency", value: symbol });
        if (/[A-Za-z]$/.test(symbol)) parts.push({ type: "literal", value: NBSP });
      }
    }
    parts = parts.concat(number);
    if (o.style === "currency" && o.currencyDisplay === "name") {
      var names = CURRENCY_NAMES[o.currency] || [o.currency, o.currency];
      parts.push({ type: "literal", value: " " }, { type: "currency", value: names[isOne(number) ? 0 : 1] });
    }
    if (o.style === "percent") parts.push({ type: "percentSign", value: "%" });
    if (o.style === "unit") {
      var forms = UNITS[o.unit];
      var text = o.unitDisplay === "long" ? forms[isOne(number) ? 2 : 3] : o.unitDisplay === "narrow" ? forms[4] : forms[isOne(number) ? 0 : 1];
      if (text[0] === " ") parts.push({ type: "literal", value: " " }, { type: "unit", value: text.slice(1) });
      else parts.push({ type: "unit", value: text });
    }
    if (accounting) parts.push({ type: "literal", value: ")" });
    return parts;
  }
}

function isOne(number) { return number.length === 1 && number[0].type === "integer" && number[0].value === "1"; }

function notAvailable(name, instead) {
  return function () { throw new TypeError("Intl." + name + " is not available in a dynflow script; " + instead); };
}

var Intl = {
  NumberFormat: NumberFormat,
  getCanonicalLocales: function (locales) { return [].concat(locales === undefined ? [] : locales).map(String); },
  DateTimeFormat: notAvailable("DateTimeFormat", "format dates with toISOString() or by hand"),
  Collator: notAvailable("Collator", "sort with localeCompare() or compare strings directly"),
  PluralRules: notAvailable("PluralRules", "choose the plural form by hand"),
  RelativeTimeFormat: notAvailable("RelativeTimeFormat", "format the text by hand"),
  ListFormat: notAvailable("ListFormat", "join the list by hand"),
  DisplayNames: notAvailable("DisplayNames", "name the value by hand"),
  Segmenter: notAvailable("Segmenter", "split the text by hand"),
};

function toLocaleStringOf(value, locales, options) { return new NumberFormat(locales, options).format(value); }
`;
