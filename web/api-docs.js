// Browsable API reference rendered from /api/openapi.json (OpenAPI 3.x, only standard fields).

import { initI18n, onLangChange, t, el } from './i18n.js';
import * as api from './api.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const MAX_DEPTH = 12;

const $ = (id) => document.getElementById(id);
let spec = null;
let loadError = null;
let firstRender = true;

// ------------------------------------------------------------------ $ref handling (local only)

function resolveRef(ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
  const parts = ref.slice(1).split('/').slice(1)
    .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = spec;
  for (const p of parts) {
    if (node && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, p)) node = node[p];
    else return undefined;
  }
  return node;
}

function refLabel(ref) {
  const i = ref.lastIndexOf('/');
  return i >= 0 ? ref.slice(i + 1) : ref;
}

/** Follow $ref for non-schema objects (parameters, bodies, responses, path items, examples). */
function deref(o, depth = 0) {
  if (o && typeof o === 'object' && typeof o.$ref === 'string' && depth < 10) {
    const target = resolveRef(o.$ref);
    const { $ref, ...rest } = o;
    if (target === undefined) return { ...rest, unresolvedRef: $ref };
    return { ...deref(target, depth + 1), ...rest };
  }
  return o;
}

/** Follow a schema's $ref chain, remembering the first name and what was visited. */
function resolveSchema(s, seen) {
  let refName = null;
  let guard = 0;
  while (s && typeof s === 'object' && typeof s.$ref === 'string' && guard < 10) {
    guard += 1;
    const ref = s.$ref;
    if (!refName) refName = refLabel(ref);
    if (seen.includes(ref)) return { schema: null, refName, seen, circular: true };
    const target = resolveRef(ref);
    if (target === undefined) return { schema: null, refName, seen, unresolved: ref };
    seen = [...seen, ref];
    const { $ref, ...rest } = s;
    s = Object.keys(rest).length && target && typeof target === 'object' ? { ...target, ...rest } : target;
  }
  return { schema: s, refName, seen };
}

// ------------------------------------------------------------------ text helpers

function fold(s) {
  return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

function safeHref(u) {
  if (typeof u !== 'string') return null;
  if (u.startsWith('#')) return u;
  try {
    const x = new URL(u, window.location.href);
    if (x.protocol === 'http:' || x.protocol === 'https:' || x.protocol === 'mailto:') return x.href;
  } catch {
    // Not a URL.
  }
  return null;
}

function inline(text) {
  const out = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(el('code', { text: m[1] }));
    else if (m[2] !== undefined) out.push(el('strong', { text: m[2] }));
    else {
      const href = safeHref(m[4]);
      out.push(href ? el('a', { href }, m[3]) : `${m[3]} (${m[4]})`);
    }
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** A small, safe subset of CommonMark (paragraphs, lists, code, bold, links), built as DOM nodes. */
function markdown(src) {
  const frag = document.createDocumentFragment();
  if (typeof src !== 'string' || !src.trim()) return frag;
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const special = /^\s*(```|[-*+]\s|\d+[.)]\s|#{1,6}\s)/;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^\s*$/.test(line)) {
      i += 1;
    } else if (/^\s*```/.test(line)) {
      const buf = [];
      i += 1;
      while (i < lines.length && !/^\s*```/.test(lines[i])) {
        buf.push(lines[i]);
        i += 1;
      }
      i += 1;
      frag.append(el('pre', null, el('code', { text: buf.join('\n') })));
    } else if (/^#{1,6}\s/.test(line)) {
      frag.append(el('p', null, el('strong', null, inline(line.replace(/^#{1,6}\s+/, '')))));
      i += 1;
    } else if (/^\s*[-*+]\s/.test(line) || /^\s*\d+[.)]\s/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const itemRe = ordered ? /^\s*\d+[.)]\s+/ : /^\s*[-*+]\s+/;
      const list = el(ordered ? 'ol' : 'ul');
      while (i < lines.length && itemRe.test(lines[i])) {
        list.append(el('li', null, inline(lines[i].replace(itemRe, ''))));
        i += 1;
      }
      frag.append(list);
    } else {
      const buf = [];
      while (i < lines.length && !/^\s*$/.test(lines[i]) && !special.test(lines[i])) {
        buf.push(lines[i].trim());
        i += 1;
      }
      frag.append(el('p', null, inline(buf.join(' '))));
    }
  }
  return frag;
}

function json(v) {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

// ------------------------------------------------------------------ schemas

function typeLabel(s) {
  if (s === true || s === undefined || s === null) return t('schema.any');
  if (s === false) return 'never';
  if (typeof s !== 'object') return String(s);
  let types = Array.isArray(s.type) ? s.type.slice() : s.type ? [s.type] : [];
  if (!types.length) {
    if (s.properties) types = ['object'];
    else if (s.items) types = ['array'];
    else if (s.oneOf) return 'oneOf';
    else if (s.anyOf) return 'anyOf';
    else if (s.allOf) return 'allOf';
    else if (Array.isArray(s.enum) && s.enum.length) types = [...new Set(s.enum.map((v) => (v === null ? 'null' : typeof v)))];
    else if (s.const !== undefined) types = [s.const === null ? 'null' : typeof s.const];
    else return t('schema.any');
  }
  const parts = types.map((tp) => (tp === 'array' ? `array<${itemLabel(s.items)}>` : String(tp)));
  if (s.nullable === true && !types.includes('null')) parts.push('null');
  let label = parts.join(' | ');
  if (s.format) label += ` (${s.format})`;
  return label;
}

function itemLabel(items) {
  if (!items || typeof items !== 'object') return t('schema.any');
  if (typeof items.$ref === 'string') return refLabel(items.$ref);
  return typeLabel(items);
}

function constraints(s) {
  const out = [];
  if (!s || typeof s !== 'object') return out;
  if (Array.isArray(s.enum)) out.push(t('schema.enum', { list: s.enum.map(json).join(', ') }));
  if (s.const !== undefined) out.push(t('schema.const', { v: json(s.const) }));
  const range = [];
  const exMin = s.exclusiveMinimum;
  const exMax = s.exclusiveMaximum;
  if (typeof exMin === 'number') range.push(`> ${exMin}`);
  else if (s.minimum !== undefined) range.push(`${exMin === true ? '>' : '≥'} ${s.minimum}`);
  if (typeof exMax === 'number') range.push(`< ${exMax}`);
  else if (s.maximum !== undefined) range.push(`${exMax === true ? '<' : '≤'} ${s.maximum}`);
  if (s.multipleOf !== undefined) range.push(`× ${s.multipleOf}`);
  if (range.length) out.push(t('schema.range', { v: range.join(', ') }));
  const len = [];
  if (s.minLength !== undefined) len.push(`≥ ${s.minLength}`);
  if (s.maxLength !== undefined) len.push(`≤ ${s.maxLength}`);
  if (len.length) out.push(t('schema.length', { v: len.join(', ') }));
  const cnt = [];
  if (s.minItems !== undefined) cnt.push(`≥ ${s.minItems}`);
  if (s.maxItems !== undefined) cnt.push(`≤ ${s.maxItems}`);
  if (cnt.length) out.push(t('schema.items_count', { v: cnt.join(', ') }));
  if (s.pattern) out.push(t('schema.pattern', { v: s.pattern }));
  if (s.default !== undefined) out.push(t('schema.default', { v: json(s.default) }));
  if (s.example !== undefined) out.push(t('schema.example', { v: json(s.example) }));
  else if (Array.isArray(s.examples) && s.examples.length) out.push(t('schema.example', { v: json(s.examples[0]) }));
  if (s.readOnly) out.push(t('schema.read_only'));
  if (s.writeOnly) out.push(t('schema.write_only'));
  if (s.additionalProperties === true) out.push(t('schema.additional_any'));
  if (s.deprecated) out.push(t('docs.deprecated'));
  return out;
}

function appendConstraints(node, s) {
  const c = constraints(s);
  if (c.length) node.append(' ', el('span', { class: 'constraints', text: `— ${c.join(' · ')}` }));
}

function appendDesc(node, s) {
  if (s && typeof s === 'object' && typeof s.description === 'string' && s.description.trim()) {
    node.append(el('div', { class: 'desc' }, markdown(s.description)));
  }
}

function isComplex(s, seen) {
  if (!s || typeof s !== 'object') return false;
  if (typeof s.$ref === 'string') return true;
  const r = resolveSchema(s, seen).schema;
  if (!r || typeof r !== 'object') return false;
  return Boolean(r.properties || r.oneOf || r.anyOf || r.allOf || r.not
    || (r.additionalProperties && typeof r.additionalProperties === 'object')
    || (r.items && isComplex(r.items, seen)));
}

/** A schema as a head line (name, type, constraints), its description, then its parts. */
function schemaBlock(s, seen = [], depth = 0) {
  const box = el('div', { class: 'schema' });
  const r = resolveSchema(s, seen);
  const head = el('div', { class: 'schema-head' });
  if (r.refName) head.append(el('span', { class: 'ref-name', text: r.refName }), ' ');
  box.append(head);
  if (r.circular) {
    head.append(el('span', { class: 'constraints', text: t('schema.circular') }));
    return box;
  }
  if (r.unresolved) {
    head.append(el('span', { class: 'constraints', text: t('schema.unresolved', { ref: r.unresolved }) }));
    return box;
  }
  head.append(el('span', { class: 'type', text: typeLabel(r.schema) }));
  appendConstraints(head, r.schema);
  appendDesc(box, r.schema);
  appendParts(box, r.schema, r.seen, depth);
  return box;
}

function appendParts(box, s, seen, depth) {
  if (!s || typeof s !== 'object') return;
  if (depth > MAX_DEPTH) {
    box.append(el('p', { class: 'constraints', text: t('schema.too_deep') }));
    return;
  }
  if (s.properties && typeof s.properties === 'object') {
    const req = new Set(Array.isArray(s.required) ? s.required : []);
    const ul = el('ul', { class: 'props' });
    for (const [name, ps] of Object.entries(s.properties)) {
      const r = resolveSchema(ps, seen);
      const li = el('li');
      const line = el('div', null, el('span', { class: 'prop-name', text: name }), ' ');
      li.append(line);
      if (r.refName) line.append(el('span', { class: 'ref-name', text: r.refName }), ' ');
      if (r.circular || r.unresolved) {
        line.append(el('span', {
          class: 'constraints',
          text: r.circular ? t('schema.circular') : t('schema.unresolved', { ref: r.unresolved }),
        }));
      } else {
        line.append(el('span', { class: 'type', text: typeLabel(r.schema) }));
      }
      if (req.has(name)) line.append(' ', el('span', { class: 'req', text: t('docs.required') }));
      if (!r.circular && !r.unresolved) {
        appendConstraints(line, r.schema);
        appendDesc(li, r.schema);
        appendParts(li, r.schema, r.seen, depth + 1);
      }
      ul.append(li);
    }
    box.append(ul);
  }
  if (s.items && typeof s.items === 'object' && isComplex(s.items, seen)) {
    box.append(el('div', { class: 'constraints', text: t('schema.items') }), schemaBlock(s.items, seen, depth + 1));
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object'
      && Object.keys(s.additionalProperties).length) {
    box.append(el('div', { class: 'constraints', text: t('schema.additional') }),
      schemaBlock(s.additionalProperties, seen, depth + 1));
  }
  for (const [key, label] of [['oneOf', 'schema.one_of'], ['anyOf', 'schema.any_of'], ['allOf', 'schema.all_of']]) {
    if (Array.isArray(s[key]) && s[key].length) {
      box.append(el('div', { class: 'constraints', text: t(label) }),
        el('ol', { class: 'variants' }, s[key].map((v) => el('li', null, schemaBlock(v, seen, depth + 1)))));
    }
  }
  if (s.not && typeof s.not === 'object') {
    box.append(el('div', { class: 'constraints', text: t('schema.not') }), schemaBlock(s.not, seen, depth + 1));
  }
}

// ------------------------------------------------------------------ operations

function collectOps() {
  const ops = [];
  const used = new Set();
  const paths = spec && spec.paths && typeof spec.paths === 'object' ? spec.paths : {};
  for (const [path, raw] of Object.entries(paths)) {
    const item = deref(raw) || {};
    for (const method of METHODS) {
      const op = item[method];
      if (!op || typeof op !== 'object') continue;
      let id = `op-${method}-${path.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')}`;
      while (used.has(id)) id += '_';
      used.add(id);
      ops.push({ path, method, op, item, id });
    }
  }
  return ops;
}

function effectiveSecurity(op) {
  const sec = Array.isArray(op.security) ? op.security : Array.isArray(spec.security) ? spec.security : [];
  return sec.filter((r) => r && typeof r === 'object');
}

function describeScheme(name, scopes) {
  const schemes = (spec.components && spec.components.securitySchemes) || {};
  const s = deref(schemes[name]);
  let text = name;
  if (s && typeof s === 'object') {
    const type = String(s.type || '').toLowerCase();
    if (type === 'http' && String(s.scheme || '').toLowerCase() === 'bearer') {
      text = t('docs.bearer') + (s.bearerFormat ? `, ${s.bearerFormat}` : '');
    } else if (type === 'http') {
      text = `HTTP ${s.scheme || ''}`.trim();
    } else if (type === 'apikey') {
      text = `API key (${s.in || '?'}: ${s.name || '?'})`;
    } else if (type === 'oauth2') {
      text = 'OAuth 2';
    } else if (type === 'openidconnect') {
      text = 'OpenID Connect';
    } else if (type === 'mutualtls') {
      text = 'mutual TLS';
    }
    text += ` [${name}]`;
  }
  if (Array.isArray(scopes) && scopes.length) text += ` — ${t('docs.scopes', { list: scopes.join(', ') })}`;
  return text;
}

function securityText(reqs) {
  if (!reqs.length) return t('docs.security_none');
  return reqs.map((r) => {
    const names = Object.keys(r);
    if (!names.length) return t('docs.security_anonymous');
    return names.map((n) => describeScheme(n, r[n])).join(' + ');
  }).join(t('docs.security_or'));
}

function mergedParams(o) {
  const byKey = new Map();
  for (const list of [o.item.parameters, o.op.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = deref(raw);
      if (!p || typeof p !== 'object') continue;
      byKey.set(`${p.in}\u0000${p.name}`, p);
    }
  }
  return [...byKey.values()];
}

function searchText(o) {
  const { op, item } = o;
  const parts = [o.method, o.path, op.summary, op.description, item.summary, item.description, op.operationId];
  if (Array.isArray(op.tags)) parts.push(...op.tags);
  for (const p of mergedParams(o)) parts.push(p.name, p.description);
  return fold(parts.filter(Boolean).join(' '));
}

function exampleOf(mt) {
  if (!mt || typeof mt !== 'object') return undefined;
  if (mt.example !== undefined) return mt.example;
  if (mt.examples && typeof mt.examples === 'object') {
    for (const ex of Object.values(mt.examples)) {
      const e = deref(ex);
      if (e && typeof e === 'object' && e.value !== undefined) return e.value;
    }
  }
  return undefined;
}

function contentBlock(content) {
  const box = el('div');
  if (!content || typeof content !== 'object' || !Object.keys(content).length) return box;
  for (const [type, rawMt] of Object.entries(content)) {
    const mt = deref(rawMt) || {};
    box.append(el('div', { class: 'media-type', text: type }));
    if (mt.schema !== undefined) box.append(el('div', { class: 'schema-block' }, schemaBlock(mt.schema)));
    const ex = exampleOf(mt);
    if (ex !== undefined) {
      let text;
      try {
        text = typeof ex === 'string' ? ex : JSON.stringify(ex, null, 2);
      } catch {
        text = String(ex);
      }
      box.append(el('div', { class: 'constraints', text: t('docs.example') }), el('pre', null, el('code', { text })));
    }
  }
  return box;
}

function paramType(p) {
  if (p.schema !== undefined) {
    const r = resolveSchema(p.schema, []);
    const label = r.schema ? typeLabel(r.schema) : t('schema.any');
    return r.refName ? `${r.refName} (${label})` : label;
  }
  if (p.content && typeof p.content === 'object') return Object.keys(p.content).join(', ');
  return t('schema.any');
}

function renderOp(o, domId) {
  const { op, item, method, path } = o;
  const sec = effectiveSecurity(op);
  const needsAuth = sec.length > 0 && !sec.some((r) => !Object.keys(r).length);
  const summaryText = op.summary || item.summary || '';

  const details = el('details', {
    class: `op${op.deprecated ? ' is-deprecated' : ''}`,
    id: domId,
    dataset: { search: searchText(o), op: o.id },
  });
  details.append(el('summary', null,
    el('span', { class: `method method-${method}`, text: method.toUpperCase() }),
    el('span', { class: 'op-path', text: path }),
    summaryText ? el('span', { class: 'op-summary', text: summaryText }) : null,
    el('span', { class: 'op-badges' },
      op.deprecated ? el('span', { class: 'badge badge-deprecated', text: t('docs.deprecated') }) : null,
      needsAuth
        ? el('span', { class: 'badge badge-auth', text: t('docs.badge_auth') })
        : el('span', { class: 'badge badge-public', text: t('docs.badge_public') }))));

  const body = el('div', { class: 'op-body' });
  const desc = op.description || item.description;
  if (desc) body.append(el('div', { class: 'description' }, markdown(desc)));

  const kv = el('dl', { class: 'kv' });
  if (op.operationId) kv.append(el('dt', { text: t('docs.operation_id') }), el('dd', null, el('code', { text: op.operationId })));
  kv.append(el('dt', { text: t('docs.security') }), el('dd', { text: securityText(sec) }));
  body.append(kv);

  const params = mergedParams(o);
  if (params.length) {
    body.append(el('h3', { text: t('docs.parameters') }), el('div', { class: 'table-wrap' },
      el('table', { class: 'params' },
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: t('docs.param_name') }),
          el('th', { scope: 'col', text: t('docs.param_in') }),
          el('th', { scope: 'col', text: t('docs.param_type') }),
          el('th', { scope: 'col', text: t('docs.param_desc') }))),
        el('tbody', null, params.map((p) => {
          const schema = p.schema ? resolveSchema(p.schema, []).schema : null;
          const descCell = el('td');
          if (p.description) descCell.append(markdown(p.description));
          if (schema) {
            const c = constraints(schema);
            if (c.length) descCell.append(el('div', { class: 'constraints', text: c.join(' · ') }));
          }
          if (p.deprecated) descCell.append(el('div', { class: 'req', text: t('docs.deprecated') }));
          return el('tr', null,
            el('th', { scope: 'row' }, el('code', { text: p.name || '' }),
              p.required ? el('div', { class: 'req', text: t('docs.required') }) : null),
            el('td', { text: ['path', 'query', 'header', 'cookie'].includes(p.in) ? t(`docs.in.${p.in}`) : String(p.in || '') }),
            el('td', null, el('code', { text: paramType(p) })),
            descCell);
        })))));
  }

  if (op.requestBody) {
    const rb = deref(op.requestBody) || {};
    const h = el('h3', null, t('docs.request_body'));
    if (rb.required) h.append(' ', el('span', { class: 'req', text: t('docs.required') }));
    body.append(h);
    if (rb.description) body.append(el('div', { class: 'description' }, markdown(rb.description)));
    body.append(contentBlock(rb.content));
  }

  const responses = op.responses && typeof op.responses === 'object' ? Object.entries(op.responses) : [];
  if (responses.length) {
    body.append(el('h3', { text: t('docs.responses') }));
    for (const [code, raw] of responses) {
      const r = deref(raw) || {};
      const box = el('div', { class: `response code-${String(code).charAt(0)}` },
        el('div', null, el('span', { class: 'code', text: code })));
      if (r.description) box.append(el('div', { class: 'description' }, markdown(r.description)));
      if (r.content && Object.keys(r.content).length) box.append(contentBlock(r.content));
      else box.append(el('div', { class: 'constraints', text: t('docs.no_body') }));
      if (r.headers && typeof r.headers === 'object' && Object.keys(r.headers).length) {
        const ul = el('ul', { class: 'props' });
        for (const [name, rawH] of Object.entries(r.headers)) {
          const hd = deref(rawH) || {};
          ul.append(el('li', null, el('span', { class: 'prop-name', text: name }), ' ',
            el('span', { class: 'type', text: hd.schema ? typeLabel(resolveSchema(hd.schema, []).schema) : '' }),
            hd.description ? el('div', { class: 'desc' }, markdown(hd.description)) : null));
        }
        box.append(el('div', { class: 'constraints', text: t('docs.headers') }), el('div', { class: 'schema' }, ul));
      }
      body.append(box);
    }
  }

  body.append(el('p', { class: 'small' }, el('a', { href: `#${domId}`, text: t('docs.link') })));
  details.append(body);
  return details;
}

// ------------------------------------------------------------------ page

function render() {
  const bodyEl = $('docs-body');
  if (loadError) {
    bodyEl.replaceChildren(el('p', { class: 'msg msg-error', role: 'alert', text: t('docs.load_error', { message: loadError }) }));
    return;
  }
  if (!spec) return;

  const open = new Set([...document.querySelectorAll('details[open]')].map((d) => d.id));
  const info = spec.info || {};

  const title = $('docs-title');
  if (info.title) {
    delete title.dataset.i18n;
    title.textContent = info.title;
    document.title = `${info.title} — ${t('docs.heading')}`;
  } else {
    document.title = t('docs.page_title');
  }
  const meta = [];
  if (info.version) meta.push(t('docs.version', { v: info.version }));
  if (spec.openapi) meta.push(t('docs.openapi_version', { v: spec.openapi }));
  $('docs-meta').textContent = meta.join(' · ');
  $('docs-description').replaceChildren(markdown(info.description));

  const servers = Array.isArray(spec.servers) ? spec.servers.filter((s) => s && s.url) : [];
  $('docs-servers').replaceChildren(...(servers.length ? [el('dl', { class: 'kv' },
    el('dt', { text: t('docs.servers') }),
    el('dd', null, servers.map((s, i) => [i ? el('br') : null, el('code', { text: s.url }),
      s.description ? ` — ${s.description}` : ''])))] : []));

  // Group by tag: declared tags first, in order, then the others as met; untagged last.
  const ops = collectOps();
  const tagDefs = new Map();
  const groups = new Map();
  for (const tg of Array.isArray(spec.tags) ? spec.tags : []) {
    if (tg && tg.name) {
      tagDefs.set(tg.name, tg);
      groups.set(tg.name, []);
    }
  }
  const untagged = [];
  for (const o of ops) {
    const tags = Array.isArray(o.op.tags) && o.op.tags.length ? o.op.tags : null;
    if (!tags) {
      untagged.push(o);
      continue;
    }
    for (const tag of tags) {
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push(o);
    }
  }

  const sections = [];
  const placed = new Set();
  let gi = 0;
  const addGroup = (name, list, def) => {
    if (!list.length) return;
    gi += 1;
    const hid = `tag-${gi}`;
    const section = el('section', { class: 'tag-group', 'aria-labelledby': hid },
      el('h2', { id: hid, text: name }));
    if (def && def.description) section.append(el('div', { class: 'tag-desc' }, markdown(def.description)));
    for (const o of list) {
      // An operation with several tags is listed in each; only the first copy keeps the anchor id.
      const domId = placed.has(o.id) ? `${o.id}--${gi}` : o.id;
      placed.add(o.id);
      const d = renderOp(o, domId);
      if (open.has(domId)) d.open = true;
      section.append(d);
    }
    sections.push(section);
  };
  for (const [name, list] of groups) addGroup(name, list, tagDefs.get(name));
  addGroup(t('docs.untagged'), untagged, null);

  if (!ops.length) sections.push(el('p', { class: 'notice', text: t('docs.no_paths') }));

  const schemas = spec.components && spec.components.schemas && typeof spec.components.schemas === 'object'
    ? Object.entries(spec.components.schemas) : [];
  if (schemas.length) {
    gi += 1;
    const hid = `tag-${gi}`;
    const section = el('section', { class: 'tag-group schemas-list', 'aria-labelledby': hid },
      el('h2', { id: hid, text: t('docs.schemas') }));
    for (const [name, schema] of schemas) {
      const domId = `schema-${name.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
      const d = el('details', { class: 'op', id: domId, dataset: { search: fold(`${name} ${(schema && schema.description) || ''}`) } },
        el('summary', null, el('span', { class: 'op-path', text: name }),
          schema && schema.title ? el('span', { class: 'op-summary', text: schema.title }) : null),
        el('div', { class: 'op-body' }, schemaBlock(schema, [`#/components/schemas/${name}`])));
      if (open.has(domId)) d.open = true;
      section.append(d);
    }
    sections.push(section);
  }

  sections.push(el('p', { id: 'no-match', class: 'notice', hidden: true, text: t('docs.no_match') }));
  bodyEl.replaceChildren(...sections);
  applyFilter();

  if (firstRender) {
    firstRender = false;
    openFromHash();
  }
}

function applyFilter() {
  const words = fold($('filter').value).split(/\s+/).filter(Boolean);
  let shown = 0;
  let total = 0;
  const seenOps = new Set();
  const shownOps = new Set();
  for (const section of document.querySelectorAll('#docs-body .tag-group')) {
    let any = false;
    for (const d of section.querySelectorAll('details.op')) {
      const match = words.every((w) => d.dataset.search.includes(w));
      d.hidden = !match;
      if (match) any = true;
      const key = d.dataset.op;
      if (key) {
        seenOps.add(key);
        if (match) shownOps.add(key);
      }
    }
    section.hidden = !any;
  }
  total = seenOps.size;
  shown = shownOps.size;
  $('filter-count').textContent = spec ? t('docs.count', { shown, total }) : '';
  const none = $('no-match');
  if (none) none.hidden = !(words.length && !document.querySelector('#docs-body details.op:not([hidden])'));
}

function openFromHash() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  if (!id) return;
  const d = document.getElementById(id);
  if (d && d.tagName === 'DETAILS') {
    d.open = true;
    d.scrollIntoView();
    const s = d.querySelector('summary');
    if (s) s.focus({ preventScroll: true });
  }
}

async function load() {
  try {
    spec = await api.getOpenApi();
    if (!spec || typeof spec !== 'object') throw new Error('not an object');
    loadError = null;
  } catch (e) {
    loadError = e.status === 0 ? t('error.network') : e.message || String(e);
  }
  render();
}

function init() {
  initI18n();
  let debounce = null;
  $('filter').addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(applyFilter, 120);
  });
  $('expand-all').addEventListener('click', () => {
    for (const d of document.querySelectorAll('#docs-body details.op:not([hidden])')) d.open = true;
  });
  $('collapse-all').addEventListener('click', () => {
    for (const d of document.querySelectorAll('#docs-body details.op')) d.open = false;
  });
  window.addEventListener('hashchange', openFromHash);
  onLangChange(render);
  load();
}

init();
