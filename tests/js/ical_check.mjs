// Parse an iCalendar file with Mozilla's ical.js (the parser inside Thunderbird), an
// implementation independent of the Python `icalendar` package that wrote the file.
//
// Usage: node ical_check.mjs FILE.ics
// Prints JSON {"calendar": {...}, "timezones": [...], "events": [...]} on stdout and exits 0,
// or prints the parser's error on stderr and exits 1.
// Each event's `dtstart_utc` is computed with the VTIMEZONE components of the file itself
// (registered in ical.js's TimezoneService), so it checks that those are right.
import fs from "node:fs";
import ICAL from "ical.js";

const path = process.argv[2];
if (!path) {
  console.error("usage: node ical_check.mjs FILE.ics");
  process.exit(2);
}

try {
  const text = fs.readFileSync(path, "utf8");
  const root = new ICAL.Component(ICAL.parse(text));
  if (root.name !== "vcalendar") throw new Error(`top component is ${root.name}`);

  const timezones = root.getAllSubcomponents("vtimezone").map((vtz) => {
    const tz = new ICAL.Timezone(vtz);
    ICAL.TimezoneService.register(tz, tz.tzid);
    return tz.tzid;
  });

  const iso = (t) => (t ? t.toString() : null);
  const utc = (t) => (t && !t.isDate ? t.convertToZone(ICAL.Timezone.utcTimezone).toString() : null);

  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const ev = new ICAL.Event(vevent);
    const dtstart = vevent.getFirstProperty("dtstart");
    return {
      uid: ev.uid,
      summary: ev.summary,
      description: ev.description,
      location: ev.location,
      sequence: ev.sequence,
      status: vevent.getFirstPropertyValue("status"),
      dtstart: iso(ev.startDate),
      dtstart_tzid: dtstart ? dtstart.getParameter("tzid") ?? null : null,
      dtstart_is_date: ev.startDate ? ev.startDate.isDate : null,
      dtstart_utc: utc(ev.startDate),
      dtend: iso(ev.endDate),
      dtend_utc: utc(ev.endDate),
      dtstamp: iso(vevent.getFirstPropertyValue("dtstamp")),
      categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
      alarms: vevent.getAllSubcomponents("valarm").map((a) => ({
        action: a.getFirstPropertyValue("action"),
        trigger: iso(a.getFirstPropertyValue("trigger")),
      })),
    };
  });

  const calendar = {};
  for (const name of ["prodid", "version", "calscale", "method", "x-wr-calname", "x-wr-timezone"]) {
    const value = root.getFirstPropertyValue(name);
    if (value !== null) calendar[name] = String(value);
  }
  process.stdout.write(JSON.stringify({ calendar, timezones, events }) + "\n");
} catch (err) {
  console.error(`ical.js rejected ${path}: ${err && err.message ? err.message : err}`);
  process.exit(1);
}
