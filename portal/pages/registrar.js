// The registrar: a learner's certificates judged by a programme's rules, line by line, with the reason for
// each in the reader's language (a registrar's or an admin's key).

import { graphql } from "../api.js";
import { h, formatNumber, fill } from "../dom.js";
import { t, pick, language } from "../i18n.js";
import { errorBox, field, keyField, partialErrors, select } from "../ui.js";

const PROGRAMS = `{ institutions(first: 100) { nodes { id name nameEn creditSystem programs { id name nameEn } } } }`;
const TRANSCRIPT = `query Transcript($holderRef: String, $curp: String, $programId: ID!, $asOf: Date) {
  learner(holderRef: $holderRef, curp: $curp) {
    holderRef
    creditTranscript(programId: $programId, asOf: $asOf) {
      asOf eligibleCredits recognizedCredits capApplied capBasis totalCredits residencyCredits creditsStillNeeded
      program { name nameEn institution { creditSystem } }
      lines {
        folio standardCode status credits reason reasonEn
        exemptedCourses { code title titleEn }
        certificate { issuedOn standard { title titleEn } }
      }
    }
  }
}`;
const DEPOSIT = `mutation Deposit($folio: String!, $institutionId: ID!, $key: String!, $curp: String) {
  depositCertificate(folio: $folio, institutionId: $institutionId, idempotencyKey: $key, holderCurp: $curp) {
    replayed entry { folio standardCode institution { name nameEn } }
  }
}`;
// One per click: a retried request with the same key returns the first answer instead of a second deposit.
// (getRandomValues, unlike randomUUID, works on plain-http origins too.)
const idempotencyKey = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
// A CURP: four letters, six digits of birth date, sex, five letters, two characters.
const CURP = /^[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d$/;

export async function registrarPage({ session }) {
  const { data } = await graphql(PROGRAMS);
  const programs = data.institutions.nodes.flatMap((i) =>
    i.programs.map((p) => [p.id, `${pick(i.name, i.nameEn)} — ${pick(p.name, p.nameEn)}`]),
  );
  const institutionOf = new Map(data.institutions.nodes.flatMap((i) => i.programs.map((p) => [p.id, i.id])));
  const state = (session.registrar ??= { learner: "", program: programs[0]?.[0] ?? "", asOf: "" });
  const [learnerField, learnerInput] = field(
    t("reg.learner"),
    { name: "learner", value: state.learner, required: true, autocomplete: "off", spellcheck: "false" },
    t("reg.learnerHint"),
  );
  const [programField, programSelect] = select(t("reg.program"), programs, state.program, {
    name: "program",
  });
  const [asOfField, asOfInput] = field(t("reg.asOf"), { name: "asOf", type: "date", value: state.asOf });
  const out = h("div", { class: "transcript", "aria-live": "polite" });

  const explain = async (event) => {
    event.preventDefault();
    Object.assign(state, {
      learner: learnerInput.value.trim(),
      program: programSelect.value,
      asOf: asOfInput.value,
    });
    const who = CURP.test(state.learner.toUpperCase())
      ? { curp: state.learner.toUpperCase() }
      : { holderRef: state.learner };
    fill(out, h("p", { class: "loading" }, t("loading")));
    try {
      const result = await graphql(
        TRANSCRIPT,
        { ...who, programId: state.program, asOf: state.asOf || null },
        session.key,
      );
      fill(out, partialErrors(result.errors), transcript(result.data.learner));
    } catch (error) {
      fill(out, errorBox(error));
    }
  };

  // A registrar sees a learner's certificates once one is banked at the institution: the learner brings
  // the folios and their CURP, the registrar deposits them (the registry confirms every fact), then explains.
  const [folioField, folioInput] = field(
    t("reg.folio"),
    { name: "folio", autocomplete: "off", spellcheck: "false", maxlength: 64 },
    t("reg.folioHint"),
  );
  const deposited = h("div", { "aria-live": "polite" });
  const deposit = async (event) => {
    event.preventDefault();
    const folio = folioInput.value.trim();
    if (!folio) return;
    // The learner's CURP, typed in the learner field, proves the certificate is theirs (the registry checks).
    const curp = learnerInput.value.trim().toUpperCase();
    if (!CURP.test(curp)) {
      fill(deposited, h("p", { class: "error", role: "alert" }, t("reg.curpToDeposit")));
      return;
    }
    const institutionId = institutionOf.get(programSelect.value);
    try {
      const { data: d } = await graphql(
        DEPOSIT,
        { folio, institutionId, key: idempotencyKey(), curp },
        session.key,
      );
      const e = d.depositCertificate.entry;
      const name = pick(e.institution.name, e.institution.nameEn);
      fill(
        deposited,
        h("p", { class: "status" }, t("reg.deposited", { folio: e.folio, code: e.standardCode, name })),
      );
      folioInput.value = "";
    } catch (error) {
      fill(deposited, errorBox(error));
    }
  };

  return [
    h("h1", {}, t("reg.title")),
    h("p", { class: "lead" }, t("reg.lead")),
    h(
      "form",
      { class: "stack", onsubmit: explain },
      keyField(session, t("reg.keyHint")),
      learnerField,
      programField,
      asOfField,
      h("button", { type: "submit" }, t("reg.submit")),
    ),
    h(
      "section",
      { "aria-labelledby": "deposit-title" },
      h("h2", { id: "deposit-title" }, t("reg.depositTitle")),
      h("p", { class: "hint" }, t("reg.depositHint")),
      h(
        "form",
        { class: "search", onsubmit: deposit },
        folioField,
        h("button", { type: "submit" }, t("reg.deposit")),
      ),
      deposited,
    ),
    out,
  ];
}

function transcript(learner) {
  const tr = learner.creditTranscript;
  if (!tr) return null; // the credit bank did not answer: the errors above say why
  if (!tr.lines.length) return h("p", {}, t("reg.noLines"));
  const lang = language();
  const n = (v) => formatNumber(v, lang, 1);
  const unit = tr.program.institution.creditSystem;
  return h(
    "section",
    { "aria-labelledby": "transcript-title" },
    h(
      "h2",
      { id: "transcript-title" },
      t("reg.transcript", { program: pick(tr.program.name, tr.program.nameEn), date: tr.asOf }),
    ),
    h(
      "table",
      { class: "lines" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [t("reg.certificate"), t("reg.standard"), t("reg.status"), t("reg.credits"), t("reg.why")].map(
            (c) => h("th", { scope: "col" }, c),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        tr.lines.map((line) =>
          h(
            "tr",
            { class: `line ${line.status.toLowerCase()}` },
            h(
              "td",
              {},
              line.folio,
              h("br"),
              h("small", {}, t("reg.issued", { date: line.certificate.issuedOn })),
            ),
            h(
              "td",
              {},
              h("a", { href: `#/standard/${encodeURIComponent(line.standardCode)}` }, line.standardCode),
              " ",
              pick(line.certificate.standard.title, line.certificate.standard.titleEn),
            ),
            h("td", {}, t(`line.${line.status}`, {}, line.status)),
            h("td", { class: "num" }, n(line.credits)),
            h(
              "td",
              {},
              pick(line.reason, line.reasonEn),
              line.exemptedCourses.length
                ? h(
                    "p",
                    { class: "meta" },
                    t("reg.exempts"),
                    " ",
                    line.exemptedCourses.map((c) => `${c.code} ${pick(c.title, c.titleEn)}`).join("; "),
                  )
                : null,
            ),
          ),
        ),
      ),
    ),
    h(
      "dl",
      { class: "facts totals" },
      [
        ["reg.eligible", tr.eligibleCredits],
        ["reg.cap", tr.capApplied],
        ["reg.recognized", tr.recognizedCredits],
        ["reg.total", tr.totalCredits],
        ["reg.needed", tr.creditsStillNeeded],
      ].map(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, `${n(v)} ${unit}`)]),
      [h("dt", {}, t("reg.capBasis")), h("dd", {}, t(`cap.${tr.capBasis}`, {}, tr.capBasis))],
    ),
  );
}
