// JSON with exact numbers, for the HTTP call API: the gateway writes 64-bit
// integers exactly, which JSON.parse would round past 2^53. `parseJson` keeps
// each number as its text (`Num`); `jsonText` writes bigints as digits.
/** A JSON number, kept as the text it was written as. */
export class Num {
    text;
    constructor(text) {
        this.text = text;
    }
}
/** Parses `text`, numbers as `Num`. */
export function parseJson(text) {
    let pos = 0;
    const fail = (what) => { throw new SyntaxError(`bad JSON at ${pos}: ${what}`); };
    const space = () => { while (/[ \t\n\r]/.test(text[pos] ?? ""))
        pos++; };
    const value = () => {
        space();
        const c = text[pos];
        if (c === "{") {
            pos++;
            const obj = {};
            space();
            if (text[pos] === "}") {
                pos++;
                return obj;
            }
            for (;;) {
                space();
                if (text[pos] !== '"')
                    fail("a key");
                const key = str();
                space();
                if (text[pos++] !== ":")
                    fail("':'");
                obj[key] = value();
                space();
                const next = text[pos++];
                if (next === "}")
                    return obj;
                if (next !== ",")
                    fail("',' or '}'");
            }
        }
        if (c === "[") {
            pos++;
            const arr = [];
            space();
            if (text[pos] === "]") {
                pos++;
                return arr;
            }
            for (;;) {
                arr.push(value());
                space();
                const next = text[pos++];
                if (next === "]")
                    return arr;
                if (next !== ",")
                    fail("',' or ']'");
            }
        }
        if (c === '"')
            return str();
        for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
            if (text.startsWith(word, pos)) {
                pos += word.length;
                return v;
            }
        }
        const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
        if (!m)
            return fail("a value");
        pos += m[0].length;
        return new Num(m[0]);
    };
    const str = () => {
        const start = pos;
        pos++;
        while (text[pos] !== '"') {
            if (pos >= text.length)
                fail("an unterminated string");
            pos += text[pos] === "\\" ? 2 : 1;
        }
        pos++;
        return JSON.parse(text.slice(start, pos));
    };
    const result = value();
    space();
    if (pos !== text.length)
        fail("trailing text");
    return result;
}
/** JSON text of a value whose numbers may be bigints or `Num`s. */
export function jsonText(v) {
    if (typeof v === "bigint")
        return v.toString();
    if (v instanceof Num)
        return v.text;
    if (typeof v === "number") {
        if (!Number.isFinite(v))
            throw new TypeError(`${v} has no JSON form`);
        return JSON.stringify(v);
    }
    if (Array.isArray(v))
        return `[${v.map(jsonText).join(",")}]`;
    if (v !== null && typeof v === "object") {
        return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(",")}}`;
    }
    return JSON.stringify(v) ?? "null";
}
