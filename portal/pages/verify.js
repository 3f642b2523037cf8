// Public verification of a certificate by its folio: no key, and only what CONOCER shows anyone (the
// holder's name masked).

import { graphql } from "../api.js";
import { h } from "../dom.js";
import { t, pick } from "../i18n.js";
import { errorBox, field } from "../ui.js";

const VERIFY = `query Verify($folio: String!) {
  verifyCertificate(folio: $folio) {
    folio status issuedOn holderName
    standard { code title titleEn }
    body { name }
  }
}`;

export async function verifyPage({ args, navigate }) {
  const folio = args[0] ?? "";
  const [folioField, folioInput] = field(
    t("verify.folio"),
    { name: "folio", value: folio, required: true, maxlength: 64, autocomplete: "off", spellcheck: "false" },
    t("verify.hint"),
  );
  const form = h(
    "form",
    {
      class: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const value = folioInput.value.trim();
        if (value) navigate(`#/verify/${encodeURIComponent(value)}`);
      },
    },
    folioField,
    h("button", { type: "submit" }, t("verify.submit")),
  );
  const page = [h("h1", {}, t("verify.title")), h("p", { class: "lead" }, t("verify.lead")), form];
  if (!folio) return page;
  try {
    const { data } = await graphql(VERIFY, { folio });
    page.push(certificate(data.verifyCertificate));
  } catch (error) {
    page.push(errorBox(error));
  }
  return page;
}

function certificate(c) {
  const valid = c.status === "VALID";
  return h(
    "section",
    { class: `certificate ${valid ? "valid" : "revoked"}`, "aria-labelledby": "cert-title" },
    h("h2", { id: "cert-title" }, valid ? t("verify.valid") : t("verify.revoked")),
    h(
      "dl",
      { class: "facts" },
      [
        [t("verify.folio"), c.folio],
        [t("verify.holder"), c.holderName],
        [
          t("verify.standard"),
          h(
            "a",
            { href: `#/standard/${encodeURIComponent(c.standard.code)}` },
            `${c.standard.code} ${pick(c.standard.title, c.standard.titleEn)}`,
          ),
        ],
        [t("verify.issued"), c.issuedOn],
        [t("verify.body"), c.body.name],
      ].map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    ),
  );
}
