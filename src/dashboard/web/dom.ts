/**
 * DOM construction without markup strings: every piece of text goes in through `textContent` (text
 * nodes), never `innerHTML`, so a run or parameter name such as `<img src=x onerror=…>` is shown as
 * the characters it is and can never become an element.
 */

export type Child = Node | string | number | null | undefined | false;
export interface Props {
  readonly class?: string;
  readonly title?: string;
  readonly href?: string;
  readonly id?: string;
  readonly type?: string;
  readonly style?: string;
  /** `data-*` attributes (set through `dataset`). */
  readonly data?: Readonly<Record<string, string>>;
  readonly on?: Readonly<Partial<Record<keyof HTMLElementEventMap, (e: Event) => void>>>;
}

/** Creates an element with properties and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class !== undefined) el.className = props.class;
  if (props.title !== undefined) el.title = props.title;
  if (props.id !== undefined) el.id = props.id;
  // Through the CSSOM: the CSP forbids style attributes in markup (and setAttribute("style")).
  if (props.style !== undefined) el.style.cssText = props.style;
  if (props.href !== undefined && el instanceof HTMLAnchorElement) el.href = safeHref(props.href);
  if (props.type !== undefined && el instanceof HTMLInputElement) el.type = props.type;
  if (props.data) for (const [k, v] of Object.entries(props.data)) el.dataset[k] = v;
  if (props.on) {
    for (const [k, fn] of Object.entries(props.on)) if (fn) el.addEventListener(k, fn);
  }
  append(el, ...children);
  return el;
}

/** Only in-page (`#…`) and same-origin API links: anything else becomes `#`. */
export function safeHref(href: string): string {
  return href.startsWith("#") || href.startsWith("/api/") ? href : "#";
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Removes every child. */
export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A titled panel. */
export function card(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, h("h3", {}, title), ...children);
}

/** A table from header cells and rows of cells. */
export function table(head: readonly Child[], rows: readonly (readonly Child[])[], cls = "grid"): HTMLTableElement {
  return h("table", { class: cls },
    h("thead", {}, h("tr", {}, ...head.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))));
}

/** A labelled checkbox. */
export function checkbox(label: string, checked: boolean, onChange: (v: boolean) => void): HTMLLabelElement {
  const box = h("input", { type: "checkbox" });
  box.checked = checked;
  box.addEventListener("change", () => onChange(box.checked));
  return h("label", { class: "check" }, box, ` ${label}`);
}

/** The hash link of a route; every part is percent-encoded. */
export function routeHref(kind: "run" | "study" | "compare", ...names: readonly string[]): string {
  return `#/${kind}/${names.map((n) => encodeURIComponent(n)).join("/")}`;
}
