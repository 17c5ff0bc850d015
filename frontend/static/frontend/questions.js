// Question inputs shared by quizzes and video checkpoints. Answers are shaped as the
// assessment API expects: a choice id, a list of choice ids, true/false, a number or a text.
import { h, html } from "./dom.js";

export function questionFieldset(question, index, saved = null) {
  const name = `q-${question.id}`;
  const legendId = `${name}-legend`;
  const legend = h(
    "legend",
    { id: legendId },
    h("span", { class: "q-number" }, `Question ${index + 1}`),
    question.points ? h("span", { class: "q-points" }, ` (${question.points} pt)`) : null,
  );
  const prompt = html("div", question.prompt_html, { class: "prompt" });
  let inputs;
  if (question.type === "single_choice" || question.type === "multiple_choice") {
    const type = question.type === "single_choice" ? "radio" : "checkbox";
    inputs = (question.choices || []).map((choice) => {
      const checked = Array.isArray(saved) ? saved.includes(choice.id) : saved === choice.id;
      return h(
        "label",
        { class: "choice" },
        h("input", { type, name, value: choice.id, checked }),
        " ",
        choice.text,
      );
    });
  } else if (question.type === "true_false") {
    inputs = [
      ["true", "True"],
      ["false", "False"],
    ].map(([value, label]) =>
      h(
        "label",
        { class: "choice" },
        h("input", { type: "radio", name, value, checked: saved === (value === "true") }),
        " ",
        label,
      ),
    );
  } else if (question.type === "numeric") {
    inputs = [
      h(
        "label",
        { class: "answer" },
        "Your answer ",
        h("input", { type: "number", step: "any", name, value: saved ?? "", inputmode: "decimal" }),
        question.unit ? ` ${question.unit}` : "",
      ),
    ];
  } else {
    inputs = [
      h(
        "label",
        { class: "answer" },
        "Your answer ",
        h("input", { type: "text", name, value: saved ?? "", autocomplete: "off" }),
      ),
    ];
  }
  return h(
    "fieldset",
    { class: "question", dataset: { questionId: question.id, type: question.type } },
    legend,
    prompt,
    inputs,
    h("div", { class: "q-feedback", "aria-live": "polite" }),
  );
}

/** The answer a fieldset holds, or undefined when nothing is filled in. */
export function answerOf(fieldset) {
  const type = fieldset.dataset.type;
  const inputs = [...fieldset.querySelectorAll("input")];
  if (type === "multiple_choice") {
    const ids = inputs.filter((i) => i.checked).map((i) => i.value);
    return ids.length ? ids : undefined;
  }
  if (type === "single_choice") return inputs.find((i) => i.checked)?.value;
  if (type === "true_false") {
    const picked = inputs.find((i) => i.checked);
    return picked ? picked.value === "true" : undefined;
  }
  const value = inputs[0].value.trim();
  if (!value) return undefined;
  return type === "numeric" ? Number(value) : value;
}

export function showResult(fieldset, { correct, points, max_points: maxPoints, explanation_html: explanation }) {
  const box = fieldset.querySelector(".q-feedback");
  fieldset.classList.add(correct ? "is-correct" : "is-wrong");
  box.replaceChildren(
    h("p", { class: "verdict" }, correct ? "Correct" : "Not quite", maxPoints ? ` · ${points}/${maxPoints} pt` : ""),
    explanation ? html("div", explanation, { class: "explanation" }) : null,
  );
}
