// Parse a vCard file with Mozilla's ical.js (the parser inside Thunderbird), independent of
// the Python code that wrote it.
//
// Usage: node vcard_check.mjs FILE.vcf
// Prints JSON [{"version", "fn", "n", "emails", "tels", "urls", "note", "props"}...] (one per
// card) on stdout and exits 0, or prints the parser's error on stderr and exits 1.
import fs from "node:fs";
import ICAL from "ical.js";

const path = process.argv[2];
if (!path) {
  console.error("usage: node vcard_check.mjs FILE.vcf");
  process.exit(2);
}

try {
  const text = fs.readFileSync(path, "utf8");
  let parsed = ICAL.parse(text);
  // One card parses to a jCard; several to a list of them.
  if (parsed.length && typeof parsed[0] === "string") parsed = [parsed];
  const cards = parsed.map((jcard) => {
    const card = new ICAL.Component(jcard);
    if (card.name !== "vcard") throw new Error(`top component is ${card.name}`);
    const all = (name) => card.getAllProperties(name).map((p) => p.getFirstValue());
    return {
      version: card.getFirstPropertyValue("version"),
      fn: card.getFirstPropertyValue("fn"),
      n: card.getFirstProperty("n") ? card.getFirstProperty("n").getValues() : null,
      emails: all("email"),
      tels: all("tel"),
      urls: all("url"),
      note: card.getFirstPropertyValue("note"),
      props: card.getAllProperties().map((p) => p.name),
    };
  });
  process.stdout.write(JSON.stringify(cards));
} catch (err) {
  console.error(String(err && err.stack ? err.stack : err));
  process.exit(1);
}
