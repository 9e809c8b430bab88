// SAFETY.md: the answer to the suicide question is written to this device
// (the outbox, the offline snapshot) only when it is a "yes" the person chose
// to keep ("keep this in my history"). One rule, used by the check-in form
// and by the snapshot.

/** A check-in as it may be written to the device: the answer to the suicide
 * question only when it is a "yes" the person chose to keep ("keep this in
 * my history"); otherwise neither the answer nor the key is written (the
 * server reads a missing answer as "no", and never keeps an unkept "yes"). */
export function withoutUnkeptAnswer(checkin) {
  if (!checkin || typeof checkin !== "object") return checkin;
  const flags = { ...(checkin.red_flags || {}) };
  const kept = flags.suicidal_thoughts === true && (checkin.keep_suicidal_answer === true || !("keep_suicidal_answer" in checkin));
  const result = { ...checkin };
  if (kept) return result;
  delete flags.suicidal_thoughts;
  delete result.keep_suicidal_answer;
  if (checkin.red_flags) result.red_flags = flags;
  return result;
}
