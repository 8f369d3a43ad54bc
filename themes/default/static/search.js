// The search page. With words, Pagefind finds, filters and sorts the missions; with none,
// our own facet index does, so browsing by filters stays light on a big board. Both apply
// the same rules: OR inside a group, AND across groups. generator/search.py writes the
// data read here. Text from the index goes into the page with textContent only.

const GROUPS = ["category", "skill", "remote", "commitment", "language", "association", "region"];
const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DIGIT_VALUES = new Uint8Array(128);
for (let i = 0; i < DIGITS.length; i++) DIGIT_VALUES[DIGITS.charCodeAt(i)] = i;
const SORTS = ["relevance", "deadline", "newest"];
const PAGE = 12; // cards shown at first, and added by "show more"
const TYPING_DELAY = 200; // ms without a keystroke before searching
// Pagefind loads the data of a filter only when a search names it; "none of no value"
// names a group without filtering anything out, to get its counts.
const EVERYTHING = { none: [] };

const root = document.getElementById("search-app");
if (root) {
  start(root);
}

// ---- Data ---------------------------------------------------------------------------------

// The filter groups the page lists: [[group, label, [[key, label], ...]], ...].
function readGroups(data) {
  const groups = new Map();
  for (const [key, label, values] of data) {
    const list = values.map(([valueKey, valueLabel]) => ({ key: valueKey, label: valueLabel }));
    groups.set(key, {
      key,
      label,
      values: list,
      byKey: new Map(list.map((value, index) => [value.key, index])),
      byLabel: new Map(list.map((value, index) => [value.label, index])),
    });
  }
  return groups;
}

// The inverse of generator.search.pack: gaps between increasing numbers, 5 bits a digit,
// decoded straight into a typed array (there is one number per digit without bit 32).
function unpack(text) {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    if (!(DIGIT_VALUES[text.charCodeAt(i)] & 32)) size++;
  }
  const numbers = new Int32Array(size);
  let previous = -1;
  let gap = 0;
  let shift = 0;
  let index = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = DIGIT_VALUES[text.charCodeAt(i)];
    gap += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      previous += gap;
      numbers[index++] = previous;
      gap = 0;
      shift = 0;
    }
  }
  return numbers;
}

async function getJSON(url, options = {}) {
  const response = await fetch(url, options);
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.json();
}

// facets.json, its lists lined up with the values of the page (by key: a page kept in
// the browser's cache may be older than the index).
function readFacets(data, groups) {
  const lists = new Map();
  for (const [group, values] of groups) {
    const packed = data.groups[group] || {};
    lists.set(
      group,
      values.values.map((value) => unpack(packed[value.key] || "")),
    );
  }
  return { version: data.version, missions: data.missions, chunk: data.chunk, lists };
}

// ---- The state, and the URL that holds it ----------------------------------------------

// { q: "words", selected: Map(group -> Set(keys)), sort: "" (the default) or one of SORTS }
function readState(search, groups) {
  const params = new URLSearchParams(search);
  const selected = new Map();
  for (const group of GROUPS) {
    const known = groups.get(group);
    const keys = params.getAll(group).filter((key) => known && known.byKey.has(key));
    if (keys.length) selected.set(group, new Set(keys));
  }
  const sort = params.get("sort");
  return { q: params.get("q") || "", selected, sort: SORTS.includes(sort) ? sort : "" };
}

function queryString(state, groups) {
  const params = new URLSearchParams();
  const words = state.q.trim();
  if (words) params.set("q", words);
  for (const group of GROUPS) {
    const keys = state.selected.get(group);
    if (!keys) continue;
    // In the order of the page, so that one state always makes the same URL.
    for (const value of groups.get(group).values) {
      if (keys.has(value.key)) params.append(group, value.key);
    }
  }
  if (state.sort && state.sort !== defaultSort(state)) params.set("sort", state.sort);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function defaultSort(state) {
  return state.q.trim() ? "relevance" : "newest";
}

// Relevance needs words: with none, missions come newest first.
function effectiveSort(state) {
  const sort = state.sort || defaultSort(state);
  return sort === "relevance" && !state.q.trim() ? "newest" : sort;
}

// ---- Browsing by filters, with the facet index ---------------------------------------------

// OR inside a group, AND across groups. A value's count is what ticking it would show on
// top of the other groups' choices (so ticking a second value of a group never hides the
// first): the missions that pass every group but, maybe, its own.
function evaluate(facets, groups, state) {
  const total = facets.missions;
  const fails = new Uint8Array(total);
  const failedGroup = new Int8Array(total);
  GROUPS.forEach((group, index) => {
    const keys = state.selected.get(group);
    if (!keys) return;
    const lists = facets.lists.get(group);
    const values = [...keys].map((key) => lists[groups.get(group).byKey.get(key)]);
    const ok = new Uint8Array(total);
    for (const list of values) for (const n of list) ok[n] = 1;
    for (let n = 0; n < total; n++) {
      if (!ok[n]) {
        fails[n] += 1;
        failedGroup[n] = index;
      }
    }
  });
  const matches = [];
  for (let n = 0; n < total; n++) if (fails[n] === 0) matches.push(n);
  const counts = new Map();
  GROUPS.forEach((group, index) => {
    const lists = facets.lists.get(group);
    if (!lists) return;
    counts.set(
      group,
      lists.map((list) => {
        let count = 0;
        for (const n of list) {
          if (fails[n] === 0 || (fails[n] === 1 && failedGroup[n] === index)) count++;
        }
        return count;
      }),
    );
  });
  return { matches, counts };
}

// ---- Text -----------------------------------------------------------------------------------

// Plural forms chosen by the CLDR rules, like Babel does for the rest of the site.
function pluralizer(lang) {
  const rules = new Intl.PluralRules(lang);
  const format = new Intl.NumberFormat(lang);
  return (forms, count) => (forms[rules.select(count)] || forms.other).replace("{n}", format.format(count));
}

// A Pagefind excerpt is page text with < and > escaped and the words found in <mark>. It
// is rebuilt from text nodes and <mark> elements, so nothing else can get through.
const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'" };

function excerptNodes(excerpt) {
  const nodes = [];
  let marked = false;
  for (const part of excerpt.split(/(<\/?mark>)/)) {
    if (part === "<mark>" || part === "</mark>") {
      marked = part === "<mark>";
    } else if (part) {
      const text = part.replace(/&(?:lt|gt|amp|quot|#39);/g, (entity) => ENTITIES[entity]);
      if (marked) {
        const mark = document.createElement("mark");
        mark.textContent = text;
        nodes.push(mark);
      } else {
        nodes.push(document.createTextNode(text));
      }
    }
  }
  return nodes;
}

// ---- The page -------------------------------------------------------------------------------

function start(root) {
  performance.mark("search-start"); // read by benchmarks/search_benchmark.py
  const empty = Number(root.dataset.count) === 0;
  const facetsUrl = new URL(root.dataset.facets, location.href);
  // With no words in the URL, browsing needs the facet index at once: ask for it first.
  const facetsFetch = (options) => getJSON(facetsUrl, options);
  let facetsData = null;
  if (!empty && !new URLSearchParams(location.search).get("q")?.trim()) {
    facetsData = facetsFetch({ cache: "no-cache" });
  }
  const strings = JSON.parse(root.dataset.strings);
  const groups = readGroups(JSON.parse(root.dataset.groups));
  const lang = root.dataset.lang;
  const form = root.querySelector("form.search-field");
  const input = form.querySelector('input[name="q"]');
  const layout = root.querySelector(".search-layout");
  const filters = root.querySelector(".search-filters");
  const panel = root.querySelector(".search-panel");
  const panelChosen = panel.querySelector("summary .search-chosen");
  const groupsBox = root.querySelector(".search-groups");
  const sortSelect = root.querySelector("#search-sort");
  const status = root.querySelector(".search-status");
  const list = root.querySelector(".search-list");
  const more = root.querySelector(".search-more");
  const template = document.getElementById("search-card");
  const pagefindUrl = new URL(root.dataset.pagefind, location.href).href;
  const number = new Intl.NumberFormat(lang);
  const plural = pluralizer(lang);

  // Each source is loaded once, when first needed.
  let facetsLoad = null;
  const loadFacets = () => {
    // Revalidated at each visit (a 304 when unchanged): it names the version of the
    // cards and deadlines that go with it.
    facetsData ??= facetsFetch({ cache: "no-cache" });
    facetsLoad ??= facetsData.then((data) => readFacets(data, groups));
    return facetsLoad;
  };
  const versioned = (facets, name) => new URL(`${name}?v=${facets.version}`, facetsUrl);
  const chunks = new Map();
  const chunk = (facets, index) => {
    if (!chunks.has(index)) chunks.set(index, getJSON(versioned(facets, `cards-${index}.json`)));
    return chunks.get(index);
  };
  let deadlinesLoad = null;
  const loadDeadlines = (facets) => {
    deadlinesLoad ??= getJSON(versioned(facets, "deadlines.json")).then(({ days }) => {
      const values = new Int32Array(facets.missions);
      for (let n = 0; n < facets.missions; n++) {
        values[n] = DIGIT_VALUES[days.charCodeAt(2 * n)] * 64 + DIGIT_VALUES[days.charCodeAt(2 * n + 1)];
      }
      return values;
    });
    return deadlinesLoad;
  };
  let pagefindLoad = null;
  const loadPagefind = () => {
    pagefindLoad ??= import(`${pagefindUrl}pagefind.js`).then(async (pagefind) => {
      await pagefind.options({ basePath: pagefindUrl, excerptLength: 24 });
      return pagefind;
    });
    return pagefindLoad;
  };

  // -- Filter controls ---------------------------------------------------------------------
  // A group's checkboxes are made when it first opens: a big board has hundreds of
  // associations, and most visits never open that group.
  const boxes = new Map(); // group -> {details, chosen, options, controls, counts}
  for (const group of GROUPS) {
    const values = groups.get(group);
    if (!values || !values.values.length) continue;
    const details = document.createElement("details");
    details.className = "search-group";
    details.dataset.group = group;
    const summary = document.createElement("summary");
    const chosen = document.createElement("span");
    chosen.className = "search-chosen";
    summary.append(values.label, " ", chosen);
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.className = "visually-hidden";
    legend.textContent = values.label;
    const options = document.createElement("ul");
    options.className = "search-options";
    fieldset.append(legend, options);
    details.append(summary, fieldset);
    groupsBox.append(details);
    boxes.set(group, { details, chosen, options, controls: null, counts: null });
  }

  let state = readState(location.search, groups);

  const showCounts = (group, counts) => {
    const box = boxes.get(group);
    if (!box) return;
    box.counts = counts;
    box.controls?.forEach(({ input: check, count, item }, index) => {
      count.textContent = `(${number.format(counts[index])})`;
      // An empty value is hidden, unless ticked: it must stay possible to untick it.
      item.hidden = counts[index] === 0 && !check.checked;
    });
  };

  const makeControls = (group) => {
    const box = boxes.get(group);
    if (box.controls) return;
    const keys = state.selected.get(group);
    box.controls = groups.get(group).values.map((value, index) => {
      const item = document.createElement("li");
      const check = document.createElement("input");
      check.type = "checkbox";
      check.name = group;
      check.value = value.key;
      check.id = `filter-${group}-${index}`;
      check.checked = Boolean(keys && keys.has(value.key));
      const label = document.createElement("label");
      label.htmlFor = check.id;
      const count = document.createElement("span");
      count.className = "search-option-count";
      label.append(value.label, " ", count);
      item.append(check, label);
      return { input: check, count, item };
    });
    box.options.append(...box.controls.map((control) => control.item));
    if (box.counts) showCounts(group, box.counts);
  };

  // -- State <-> page ------------------------------------------------------------------------
  const showState = () => {
    input.value = state.q;
    for (const [group, { details, chosen }] of boxes) {
      const keys = state.selected.get(group);
      if (keys) {
        makeControls(group);
        details.open = true;
      }
      for (const { input: check } of boxes.get(group).controls || []) {
        check.checked = Boolean(keys && keys.has(check.value));
      }
      chosen.textContent = keys ? `(${plural(strings.selected, keys.size)})` : "";
    }
    let total = 0;
    for (const keys of state.selected.values()) total += keys.size;
    panelChosen.textContent = total ? `(${plural(strings.selected, total)})` : "";
    sortSelect.value = effectiveSort(state);
    sortSelect.querySelector('option[value="relevance"]').disabled = !state.q.trim();
  };

  const stateFromControls = () => {
    const selected = new Map();
    for (const [group, { controls }] of boxes) {
      const keys = controls
        ? controls.filter((c) => c.input.checked).map((c) => c.input.value)
        : [...(state.selected.get(group) || [])];
      if (keys.length) selected.set(group, new Set(keys));
    }
    return { ...state, selected };
  };

  // A history entry for each deliberate change (a box, the sort, Enter); typing only
  // updates the current one, so Back does not replay the words letter by letter.
  const commit = (next, { push }) => {
    state = next;
    const url = `${location.pathname}${queryString(state, groups)}`;
    if (url !== `${location.pathname}${location.search}`) {
      history[push ? "pushState" : "replaceState"](null, "", url);
    }
    showState();
    run();
  };

  // -- Counts with words --------------------------------------------------------------------
  const pagefindFilters = (selected) => {
    const result = {};
    for (const [group, keys] of selected) {
      const values = groups.get(group);
      result[group] = { any: [...keys].map((key) => values.values[values.byKey.get(key)].label) };
    }
    return result;
  };

  // With words, the counts of a group come from Pagefind, for the groups that are open
  // (a closed group's data is not even downloaded). The counts of a group with choices
  // come from a search without them, as with the facet index.
  const pagefindCounts = async (words, selected, wanted, main) => {
    const pagefind = await loadPagefind();
    const base = pagefindFilters(selected);
    const counts = new Map();
    for (const group of wanted) {
      let answer = main;
      if (!answer || selected.has(group)) {
        const filters = { ...base, [group]: EVERYTHING };
        answer = await pagefind.search(words, { filters });
      }
      const found = answer.filters[group] || {};
      counts.set(group, groups.get(group).values.map((value) => found[value.label] || 0));
    }
    return counts;
  };

  const openGroups = () => [...boxes].filter(([, box]) => box.details.open).map(([g]) => g);

  // -- Results -------------------------------------------------------------------------------
  let runs = 0;
  let shown = { items: [], count: 0, cards: null };

  const label = (group, key) => {
    const values = groups.get(group);
    return values.values[values.byKey.get(key)]?.label ?? key;
  };

  const card = (row, excerpt) => {
    const [slug, title, association, summary, time, where, deadline, places, categories, remote] =
      row;
    const item = template.content.firstElementChild.cloneNode(true);
    if (remote) item.querySelector(".card").classList.add("card-remote");
    item.querySelector(".card-org").textContent = label("association", association);
    const link = item.querySelector(".card-title a");
    link.href = `${root.dataset.missions}${encodeURIComponent(slug)}/`;
    link.textContent = title;
    item.querySelector(".card-summary").textContent = summary;
    const excerptBox = item.querySelector(".card-excerpt");
    if (excerpt) excerptBox.append(...excerptNodes(excerpt));
    else excerptBox.remove();
    item.querySelector(".fact-time").append(time);
    item.querySelector(".fact-where").append(where);
    item.querySelector(remote ? ".icon-place" : ".icon-remote").remove();
    item.querySelector(".fact-deadline").append(deadline);
    if (places) item.querySelector(".fact-places").append(places);
    else item.querySelector(".fact-places").remove();
    const tags = item.querySelector(".tags");
    for (const key of categories) {
      const tag = document.createElement("li");
      tag.className = "tag";
      tag.textContent = label("category", key);
      tags.append(tag);
    }
    return item;
  };

  // Cards of Pagefind results: their page data has the card and the excerpt.
  const pagefindCards = async (results) => {
    const pages = await Promise.all(results.map((result) => result.data()));
    return pages.map((page) => card(JSON.parse(page.meta.card), page.excerpt));
  };

  // Cards of mission numbers, from the chunks of the facet index.
  const facetCards = (facets) => async (numbers) => {
    const rows = await Promise.all(
      numbers.map(async (n) => (await chunk(facets, Math.floor(n / facets.chunk)))[n % facets.chunk]),
    );
    return rows.map((row) => card(row, null));
  };

  const searchWithWords = async (words) => {
    const pagefind = await loadPagefind();
    const sort = effectiveSort(state);
    const order = { deadline: { deadline: "asc" }, newest: { posted: "desc" } }[sort] || {};
    const wanted = openGroups();
    const filters = pagefindFilters(state.selected);
    for (const group of wanted) filters[group] ??= EVERYTHING;
    const main = await pagefind.search(words, { filters, sort: order });
    const counts = await pagefindCounts(words, state.selected, wanted, main);
    return { items: main.results, counts, cards: pagefindCards };
  };

  const browse = async () => {
    const facets = await loadFacets();
    const { matches, counts } = evaluate(facets, groups, state);
    if (effectiveSort(state) === "deadline") {
      const days = await loadDeadlines(facets);
      matches.sort((a, b) => days[a] - days[b] || a - b);
    } // else newest first: the order of the mission numbers
    return { items: matches, counts, cards: facetCards(facets) };
  };

  const run = async () => {
    const ticket = ++runs;
    const words = state.q.trim();
    root.setAttribute("aria-busy", "true");
    // Said only when it takes a while (Pagefind's first search on a slow connection), so
    // that a quick search is announced once, with its result.
    const slow = setTimeout(() => {
      if (ticket === runs) status.textContent = strings.loading;
    }, 500);
    try {
      const found = empty
        ? { items: [], counts: new Map(), cards: async () => [] }
        : await (words ? searchWithWords(words) : browse());
      const first = await found.cards(found.items.slice(0, PAGE));
      if (ticket !== runs) return;
      for (const [group, counts] of found.counts) showCounts(group, counts);
      shown = { items: found.items, count: first.length, cards: found.cards };
      list.replaceChildren(...first);
      more.hidden = shown.count >= found.items.length;
      status.textContent = found.items.length
        ? plural(strings.count, found.items.length)
        : strings.none;
      performance.mark("search-results"); // read by benchmarks/search_benchmark.py
    } catch (error) {
      if (ticket === runs) status.textContent = strings.failed;
      throw error;
    } finally {
      clearTimeout(slow);
      if (ticket === runs) root.removeAttribute("aria-busy");
    }
  };

  // -- Events ------------------------------------------------------------------------------------
  more.addEventListener("click", async () => {
    const current = shown;
    const next = await current.cards(current.items.slice(current.count, current.count + PAGE));
    if (shown !== current) return;
    list.append(...next);
    shown = { ...current, count: current.count + next.length };
    more.hidden = shown.count >= shown.items.length;
    next[0]?.querySelector(".card-title a").focus();
  });

  let typing = 0;
  input.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => commit({ ...state, q: input.value }, { push: false }), TYPING_DELAY);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    commit({ ...state, q: input.value }, { push: true });
  });
  filters.addEventListener("change", () => commit(stateFromControls(), { push: true }));
  filters.addEventListener("reset", (event) => {
    event.preventDefault();
    commit({ ...state, selected: new Map() }, { push: true });
  });
  sortSelect.addEventListener("change", () => commit({ ...state, sort: sortSelect.value }, { push: true }));
  window.addEventListener("popstate", () => {
    state = readState(location.search, groups);
    showState();
    run();
  });
  // With words, a group gets its counts when it opens.
  for (const [group, { details }] of boxes) {
    details.addEventListener("toggle", async () => {
      if (!details.open) return;
      makeControls(group);
      const words = state.q.trim();
      if (!words || empty) return;
      const ticket = runs;
      const counts = await pagefindCounts(words, state.selected, [group], null);
      if (ticket === runs) showCounts(group, counts.get(group));
    });
  }

  // Search works: the links offered without JavaScript give way to it. On a phone the
  // filters start folded, so that the results show without scrolling.
  if (matchMedia("(max-width: 55.99rem)").matches) panel.open = false;
  layout.hidden = false;
  document.querySelector(".search-fallback").hidden = true;
  showState();
  run();
}
