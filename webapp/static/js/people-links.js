// Links to a person: tel:, sms: (with a message to prefill) and mailto:,
// made the way the server makes them (people/_person.html).

/** What follows tel: or sms: — the digits, with a leading + kept (as on the server). */
export function dialTarget(phone) {
  return (phone.trim().startsWith("+") ? "+" : "") + phone.replace(/\D/g, "");
}

export function encode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function smsHref(phone, body) {
  const target = `sms:${dialTarget(phone)}`;
  return body ? `${target}?&body=${encode(body)}` : target;
}

export function mailtoHref(email) {
  return `mailto:${encode(email).replace(/%40/g, "@").replace(/%2B/g, "+")}`;
}
