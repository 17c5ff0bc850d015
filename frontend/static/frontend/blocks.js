// Rendering of lesson bodies as the API serves them (typed blocks), shared by the live
// lesson screen and the editors' preview so both show the same thing.
import { h, html } from "./dom.js";

export function readingBlocks(content) {
  return (content || []).map((block) => {
    switch (block.type) {
      case "paragraph":
        return html("div", block.html, { class: "block-paragraph" });
      case "heading":
        return h(block.level === "h3" ? "h3" : "h2", {}, block.text);
      case "image": {
        const rendition = block.image?.renditions?.large || Object.values(block.image?.renditions || {})[0];
        return h(
          "figure",
          {},
          rendition ? h("img", { src: rendition.url, alt: block.alt_text || "", width: rendition.width, height: rendition.height }) : null,
          block.caption ? h("figcaption", {}, block.caption) : null,
        );
      }
      case "code":
        return h(
          "figure",
          { class: "code" },
          h("pre", { tabindex: 0 }, h("code", { class: `language-${block.language}` }, block.code)),
          block.caption ? h("figcaption", {}, block.caption) : null,
        );
      case "callout":
        return h(
          "aside",
          { class: `callout callout-${block.style}`, "aria-label": block.title || block.style },
          block.title ? h("p", { class: "callout-title" }, block.title) : null,
          html("div", block.html),
        );
      case "embed":
        return h("p", {}, h("a", { href: block.url, rel: "noopener" }, block.caption || block.url));
      case "document":
        return block.document
          ? h(
              "p",
              { class: "document" },
              h("a", { href: block.document.url }, `Download ${block.document.title}`),
              ` (${block.document.file_extension.toUpperCase()})`,
              block.description ? ` · ${block.description}` : "",
            )
          : null;
      default:
        return null;
    }
  });
}

export function lessonKindLabel(kind) {
  return { video: "Video", reading: "Reading", quiz: "Quiz" }[kind] || kind;
}
