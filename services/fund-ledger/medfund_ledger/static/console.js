/* The operators' console: reads the fund ledger's API with the operator's bearer token.
   Amounts are the API's exact yuan strings, shown as they come; the charts plot them as numbers (drawing only). */
"use strict";

const TOKEN_KEY = "medfund.console.token";
const LANG_KEY = "medfund.console.lang";

const TEXT = {
  zh: {
    title: "医保基金运行监测台", skip: "跳到正文", region: "统筹区", all_regions: "全部统筹区", connecting: "连接中…",
    live: "实时", reconnecting: "重新连接中", change_token: "更换令牌", pools: "基金池", history: "收支走势",
    institutions: "总额控制", alerts: "预警", admin: "管理", pool: "基金池", balance_over_time: "累计结余（月末）",
    income_vs_expenditure: "月度收入与支出", burn: "支出进度与时间进度", show_journal: "查看该基金池流水",
    institution_budgets: "定点医疗机构总额控制", state: "状态", open: "未解除", firing: "预警中", acknowledged: "已确认",
    resolved: "已解除", all: "全部", severity: "级别", red: "红色", yellow: "黄色", rule: "规则", sort: "排序",
    by_severity: "按级别", by_newest: "最新在前", search: "搜索", alert_detail: "预警详情", settlement: "结算",
    pool_budget: "基金池年度预算", budget_due: "应筹金额（元）", planned_expenditure: "计划支出（元）", save: "保存",
    thresholds: "预警阈值", yellow_level: "黄色阈值", red_level: "红色阈值", institution_budget_form: "机构总额预算",
    institution: "机构", year: "年度", annual_budget: "年度总额（元）", operations: "消息处理",
    acknowledge_alert: "确认预警", ack_note: "处理说明", acknowledge: "确认", cancel: "取消", login: "登录",
    login_hint: "粘贴运营或管理员令牌，可用以下命令生成：", login_hint_admin: "（管理员用 --role admin）", token: "令牌",
    use_token: "使用令牌", as_of: "业务日期", income: "收入", expenditure: "支出", balance: "结余", payable: "应付未付",
    collection_rate: "征缴进度", reserve_months: "可支付月数", spent: "支出进度", elapsed: "时间进度",
    details: "详情", months_unit: "个月", fund_paid: "基金支付", budget: "总额", no_budget: "未设总额",
    measure: "测量值", threshold: "阈值", message: "说明", evidence: "证据", entries: "记账凭证", acked_by: "确认人",
    note: "说明", history_of_alert: "变更记录", at: "时间", none: "无", subject: "对象", journal: "流水",
    account: "科目", debit: "借方", credit: "贷方", date: "日期", kind: "类型", memo: "摘要", setl_date: "结算日期",
    medfee: "医疗费总额", fund_pay: "基金支付", pooled_paid: "统筹基金支付", open_settlement: "查看结算",
    dead_letters: "死信积压", consumer_lag: "消费延迟", unresolved: "未处理", oldest: "最早", topic: "主题",
    partition: "分区", lag: "延迟条数", broker_down: "消息代理未应答", consumer: "消费者", service_down: "服务未应答",
    as_of_pick: "查看日期", back_to_live: "回到最新", as_of_view: "历史视图", saved: "已保存", shown: "显示",
    of: "共", new_alert: "预警变化", evaluated_at: "评估时间", not_in_journal: "不在流水中的事件",
    view_pool: "查看基金池", inpatient: "住院", event: "事件",
    whatif: "测算", whatif_title: "政策测算（What-if）",
    whatif_hint: "上传候选政策包（YAML 或 JSON，字段同正式政策包），按其重算该统筹区该年度已记录的每一笔结算，与实际对比。",
    share_rise: "个人负担增加超过（元）", pack_file: "候选政策包文件", run_whatif: "开始测算", queued: "排队中",
    running: "测算中", done: "已完成", failed: "失败", processed: "已处理", actual: "实际", candidate: "测算",
    difference: "差额", key: "项目", by_fund: "按基金", by_month: "按月份", by_institution_level: "按医疗机构等级",
    by_area: "按就医地", by_person_category: "按人员类别", by_age_band: "按年龄段", deciles: "个人年度负担十分位",
    decile: "分位", rises: "个人负担增加的人员", newly_catastrophic: "新进入大病保险的人员", rise: "增加",
    people: "人", person: "人员编号", settlements_count: "结算笔数", reversed_count: "已冲销", refused_count: "候选政策拒付",
    fund_picture: "基金池测算", fund_picture_unavailable: "基金池测算不可用", year_end_balance: "年末结余",
    warnings_fired: "将触发的预警", refused_field: "字段", fund_pay_actual: "基金支付（实际）",
    fund_pay_candidate: "基金支付（测算）",
  },
  en: {
    title: "Medical insurance fund console", skip: "Skip to content", region: "Region", all_regions: "All regions",
    connecting: "connecting…", live: "live", reconnecting: "reconnecting", change_token: "Change token", pools: "Pools",
    history: "Income and balance", institutions: "Global budgets", alerts: "Alerts", admin: "Admin", pool: "Pool",
    balance_over_time: "Balance at month end", income_vs_expenditure: "Monthly income against expenditure",
    burn: "Spent of planned against year elapsed", show_journal: "Show this pool's journal",
    institution_budgets: "Institutions' global budgets", state: "State", open: "Open", firing: "Firing",
    acknowledged: "Acknowledged", resolved: "Resolved", all: "All", severity: "Severity", red: "red", yellow: "yellow",
    rule: "Rule", sort: "Sort", by_severity: "By severity", by_newest: "Newest first", search: "Search",
    alert_detail: "Alert detail", settlement: "Settlement", pool_budget: "Pool budget of the year",
    budget_due: "Amount due (yuan)", planned_expenditure: "Planned expenditure (yuan)", save: "Save",
    thresholds: "Warning thresholds", yellow_level: "Yellow level", red_level: "Red level",
    institution_budget_form: "Institution global budget", institution: "Institution", year: "Year",
    annual_budget: "Annual budget (yuan)", operations: "Event processing", acknowledge_alert: "Acknowledge alert",
    ack_note: "Note", acknowledge: "Acknowledge", cancel: "Cancel", login: "Sign in",
    login_hint: "Paste an operator or admin token; make one with:", login_hint_admin: "(admins: --role admin)",
    token: "Token", use_token: "Use token", as_of: "Business date", income: "Income", expenditure: "Expenditure",
    balance: "Balance", payable: "Payable", collection_rate: "Collected of due", reserve_months: "Months of reserve",
    spent: "Spent of planned", elapsed: "Year elapsed", details: "Details", months_unit: "months",
    fund_paid: "Fund paid", budget: "Budget", no_budget: "no budget", measure: "Measure", threshold: "Threshold",
    message: "Message", evidence: "Evidence", entries: "Journal entries", acked_by: "Acknowledged by", note: "Note",
    history_of_alert: "History", at: "At", none: "none", subject: "Subject", journal: "Journal", account: "Account",
    debit: "Debit", credit: "Credit", date: "Date", kind: "Kind", memo: "Memo", setl_date: "Settled on",
    medfee: "Medical fees", fund_pay: "Fund payment", pooled_paid: "Pooled fund paid", open_settlement: "Open settlement",
    dead_letters: "Dead-letter backlog", consumer_lag: "Consumer lag", unresolved: "Unresolved", oldest: "Oldest",
    topic: "Topic", partition: "Partition", lag: "Records behind", broker_down: "the broker did not answer", consumer: "Consumer",
    service_down: "the service did not answer", as_of_pick: "Show as of", back_to_live: "Back to now",
    as_of_view: "as of that date",
    saved: "Saved", shown: "shown", of: "of", new_alert: "Alert changed", evaluated_at: "Evaluated at",
    not_in_journal: "Events not in the journal", view_pool: "Show pool", inpatient: "inpatient", event: "Event",
    whatif: "What-if", whatif_title: "What if the policy changes",
    whatif_hint: "Upload a candidate policy pack (YAML or JSON, the fields of a shipped pack): every settlement the region recorded in the year is computed again under it, beside what was paid.",
    share_rise: "Share rising by more than (yuan)", pack_file: "Candidate pack file", run_whatif: "Run the simulation",
    queued: "queued", running: "running", done: "done", failed: "failed", processed: "processed",
    actual: "Actual", candidate: "Candidate", difference: "Difference", key: "Key", by_fund: "By fund",
    by_month: "By month", by_institution_level: "By institution level", by_area: "By area",
    by_person_category: "By person category", by_age_band: "By age band", deciles: "Annual share per person, deciles",
    decile: "Decile", rises: "People whose share rises", newly_catastrophic: "People newly reaching catastrophic insurance",
    rise: "Rise", people: "people", person: "Person", settlements_count: "Settlements", reversed_count: "Reversed",
    refused_count: "Refused by the candidate", fund_picture: "The pools under the candidate",
    fund_picture_unavailable: "The pools' picture is unavailable", year_end_balance: "Year-end balance",
    warnings_fired: "Warnings that would fire", refused_field: "field", fund_pay_actual: "Fund pay, actual",
    fund_pay_candidate: "Fund pay, candidate",
  },
};
const RULES = {
  zh: { current_deficit: "当期收不抵支", reserve_months: "可支付月数不足", burn_pace: "支出进度超时间进度",
        over_accumulation: "结余过多", institution_budget: "总额控制", cost_spike: "次均费用上涨", large_claim: "大额结算" },
  en: { current_deficit: "Current deficit", reserve_months: "Months of reserve", burn_pace: "Burn ahead of time",
        over_accumulation: "Over-accumulation", institution_budget: "Global budget", cost_spike: "Cost spike",
        large_claim: "Large claim" },
};

/* The alert stated in the page's language comes from the ledger (``messages``, its templates per language); the
   ledger's own message, English with the figures behind the measure, stays beneath it. */
function messageLines(a) {
  const own = el("p", { className: "message muted", lang: "en" }, a.message);
  const stated = a.messages && a.messages[state.lang];
  return stated ? [el("p", { className: "summary" }, stated), own] : [own];
}

const state = {
  lang: localStorage.getItem(LANG_KEY) || "zh", names: { regions: {}, funds: {} }, pools: [], alerts: new Map(),
  institutions: [], selectedPool: null, role: null, charts: {}, asOf: null, whatif: null,
};
const t = (key) => TEXT[state.lang][key] ?? key;
const ruleName = (rule) => RULES[state.lang][rule] ?? rule;
const $ = (selector) => document.querySelector(selector);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "dataset") Object.assign(node.dataset, v); else if (k in node) node[k] = v; else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};
const fill = (node, ...children) => node.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
const pct = (ratio) => (ratio == null ? "—" : `${(Number(ratio) * 100).toFixed(2)}%`);
const nameOf = (table, code) => (state.names[table][code] || {})[state.lang] || code;
const poolName = (p) => `${nameOf("regions", p.admdvs)} · ${nameOf("funds", p.fund_pay_type)} · ${p.year}`;
const poolById = (id) => state.pools.find((p) => p.pool_id === id);
const subjectName = (a) => {
  if (a.subject_type === "pool" && poolById(a.subject_id)) return poolName(poolById(a.subject_id));
  const inst = state.institutions.find((i) => i.fixmedins_code === a.subject_id);
  return inst && inst.name ? `${inst.name} (${a.subject_id})` : a.subject_id;
};
const localTime = (iso) => (iso ? new Date(iso).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB",
  { timeZone: "Asia/Shanghai", hour12: false }) : "—");

/* ---------- token and API ---------- */
const params = new URLSearchParams(location.search);
if (params.get("token")) {
  sessionStorage.setItem(TOKEN_KEY, params.get("token"));
  history.replaceState(null, "", location.pathname + location.hash);
}
const token = () => sessionStorage.getItem(TOKEN_KEY);
function roleOfToken(jwt) {
  try { return JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).role; } catch { return null; }
}
function askToken() {
  const dialog = $("#login");
  if (!dialog.open) dialog.showModal();
  $("#login-form").onsubmit = () => { sessionStorage.setItem(TOKEN_KEY, $("#token-input").value.trim()); location.reload(); };
}
class ApiFailure extends Error {}
async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/json" } });
  if (response.status === 401) { askToken(); throw new ApiFailure("unauthorized"); }
  const body = await response.json();
  if (!response.ok) {
    const failure = new ApiFailure(body.error ? body.error.message : response.statusText);
    failure.field = body.error ? body.error.field : null;
    throw failure;
  }
  return body;
}

/* Server-sent events read with fetch: EventSource cannot send an Authorization header. */
async function follow(path, onEvent) {
  for (;;) {
    try {
      const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}`, Accept: "text/event-stream" } });
      if (response.status === 401) { askToken(); return; }
      setStatus("live");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, "\n");
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
          const lines = block.split("\n");
          const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
          const type = (lines.find((l) => l.startsWith("event:")) || "event: message").slice(6).trim();
          if (data) onEvent(type, JSON.parse(data));
        }
      }
    } catch (error) { setStatus("reconnecting"); }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
function setStatus(key) { const s = $("#status"); s.dataset.key = key; s.textContent = t(key); }

/* ---------- language ---------- */
function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = `${t("title")} · medfund`;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  const button = $("#lang");
  button.textContent = state.lang === "zh" ? "English" : "中文";
  button.lang = state.lang === "zh" ? "en" : "zh-CN";
  $("#sections").setAttribute("aria-label", state.lang === "zh" ? "版块" : "Sections");
  if ($("#status").dataset.key) setStatus($("#status").dataset.key);
  renderAll();
}
$("#lang").onclick = () => { state.lang = state.lang === "zh" ? "en" : "zh"; localStorage.setItem(LANG_KEY, state.lang); applyLanguage(); };

/* ---------- pools ---------- */
function regionFilter() { return $("#region").value; }
function visiblePools() { return state.pools.filter((p) => !regionFilter() || p.admdvs === regionFilter()); }

function renderRegions() {
  const select = $("#region"), current = select.value;
  const regions = [...new Set(state.pools.map((p) => p.admdvs))].sort();
  select.replaceChildren(el("option", { value: "" }, t("all_regions")),
    ...regions.map((r) => el("option", { value: r }, nameOf("regions", r))));
  select.value = regions.includes(current) ? current : "";
}

function renderAsOf() {
  $("#as-of-live").hidden = !state.asOf;
  if (state.asOf) {
    $("#as-of").textContent = `${t("as_of")}: ${state.asOf} (${t("as_of_view")})`;
    $("#as-of-date").value = state.asOf;
    return;
  }
  const clocks = new Map();
  for (const p of visiblePools()) if (p.measures.business_time) clocks.set(p.admdvs, p.measures.business_time.slice(0, 10));
  const text = [...clocks].map(([admdvs, day]) => (regionFilter() || clocks.size === 1 ? day : `${nameOf("regions", admdvs)} ${day}`));
  $("#as-of").textContent = `${t("as_of")}: ${text.join(" · ") || "—"}`;
  const latest = [...clocks.values()].sort().pop();
  if (latest && document.activeElement !== $("#as-of-date")) $("#as-of-date").value = latest;
}

/* The pools, meters and alerts as of a business date (state.asOf), or now (null): the ledger answers both. */
const asOfQuery = () => (state.asOf ? `?as_of=${state.asOf}` : "");
async function loadFigures() {
  state.pools = await api(`/v1/pools${asOfQuery()}`);
  state.institutions = await api(`/v1/institutions${asOfQuery()}`);
  state.alerts = new Map((await api(`/v1/alerts${asOfQuery()}`)).map((a) => [a.alert_id, a]));
  renderAll();
}
$("#as-of-date").onchange = (ev) => {
  if (!ev.target.validity.valid || !ev.target.value) return;
  state.asOf = ev.target.value;
  loadFigures().catch((error) => { $("#status").textContent = error.message; });
};
$("#as-of-live").onclick = () => {
  state.asOf = null;
  loadFigures().catch((error) => { $("#status").textContent = error.message; });
};

function renderPools() {
  renderRegions();
  renderAsOf();
  $("#pools").replaceChildren(...visiblePools().map((p) => {
    const m = p.measures;
    const row = (label, value) => [el("dt", {}, label), el("dd", {}, value)];
    const show = el("button", { type: "button", className: "show-pool" }, t("view_pool"));
    show.onclick = () => selectPool(p.pool_id, true);
    return el("article", { className: "pool", dataset: { poolId: p.pool_id } },
      el("h3", {}, `${nameOf("funds", p.fund_pay_type)} ${p.year}`),
      el("p", { className: "sub" }, `${nameOf("regions", p.admdvs)} · ${p.fund_pay_type} · ${p.pool_id}`),
      el("dl", {}, ...row(t("balance"), p.balance), ...row(t("income"), p.income), ...row(t("expenditure"), p.expenditure),
        ...row(t("payable"), p.payable), ...row(t("collection_rate"), pct(m.collection_rate)),
        ...row(t("spent"), `${pct(m.spent_of_planned)} / ${t("elapsed")} ${pct(m.elapsed_fraction)}`),
        ...row(t("reserve_months"), m.reserve_months == null ? "—" : `${m.reserve_months} ${t("months_unit")}`)),
      show);
  }));
  const choices = state.pools.map((p) => [p.pool_id, poolName(p)]);
  for (const select of [$("#pool-select"), ...document.querySelectorAll(".pool-choice")]) {
    const current = select.value || state.selectedPool;
    select.replaceChildren(...choices.map(([id, name]) => el("option", { value: id }, name)));
    if (current && poolById(current)) select.value = current;
  }
  if (!state.selectedPool && state.pools.length) state.selectedPool = state.pools[0].pool_id;
  renderBurn();
}

function chart(id, config) {
  if (typeof Chart === "undefined") return;
  if (state.charts[id]) state.charts[id].destroy();
  config.options = { responsive: true, maintainAspectRatio: false, animation: false, ...config.options };
  state.charts[id] = new Chart(document.getElementById(id), config);
}

function renderBurn() {
  const pools = visiblePools().filter((p) => p.measures.spent_of_planned != null);
  const canvas = $("#burn-chart");
  canvas.setAttribute("aria-label", `${t("burn")}: ` + pools.map((p) =>
    `${poolName(p)} ${t("spent")} ${pct(p.measures.spent_of_planned)}, ${t("elapsed")} ${pct(p.measures.elapsed_fraction)}`).join("; "));
  chart("burn-chart", {
    type: "bar",
    data: {
      labels: pools.map((p) => `${nameOf("funds", p.fund_pay_type)} ${p.year}`),
      datasets: [
        { label: t("spent"), data: pools.map((p) => Number(p.measures.spent_of_planned) * 100), backgroundColor: "#1f77b4" },
        { label: t("elapsed"), data: pools.map((p) => Number(p.measures.elapsed_fraction ?? 0) * 100), backgroundColor: "#6b7684" },
      ],
    },
    options: { indexAxis: "y", scales: { x: { min: 0, suggestedMax: 100, ticks: { callback: (v) => `${v}%` } } } },
  });
}

async function selectPool(poolId, scroll) {
  state.selectedPool = poolId;
  $("#pool-select").value = poolId;
  $("#journal").replaceChildren();
  await renderHistory();
  if (scroll) $("#history-section").scrollIntoView();
}

async function renderHistory() {
  const pool = poolById(state.selectedPool);
  if (!pool) {  /* a ledger with no pool yet: the charts still have a name (axe: role-img-alt) */
    $("#balance-chart").setAttribute("aria-label", `${t("balance_over_time")}: ${t("none")}`);
    $("#flow-chart").setAttribute("aria-label", `${t("income_vs_expenditure")}: ${t("none")}`);
    return;
  }
  const all = (await api(`/v1/pools/${encodeURIComponent(pool.pool_id)}/months`)).months;
  const months = all.filter((m) => !state.asOf || m.month <= state.asOf.slice(0, 7));
  const labels = months.map((m) => m.month);
  $("#balance-chart").setAttribute("aria-label", `${t("balance_over_time")} ${poolName(pool)}: ` +
    months.map((m) => `${m.month} ${m.balance}`).join("; "));
  $("#flow-chart").setAttribute("aria-label", `${t("income_vs_expenditure")} ${poolName(pool)}: ` +
    months.map((m) => `${m.month} ${t("income")} ${m.income} ${t("expenditure")} ${m.expenditure}`).join("; "));
  chart("balance-chart", { type: "line", data: { labels, datasets: [
    { label: `${t("balance")} · ${poolName(pool)}`, data: months.map((m) => Number(m.balance)), borderColor: "#1f3a5f",
      backgroundColor: "#1f3a5f", tension: 0 }] } });
  chart("flow-chart", { type: "bar", data: { labels, datasets: [
    { label: t("income"), data: months.map((m) => Number(m.income)), backgroundColor: "#2e7d32" },
    { label: t("expenditure"), data: months.map((m) => Number(m.expenditure)), backgroundColor: "#b3261e" }] } });
}
$("#pool-select").onchange = (ev) => selectPool(ev.target.value, false);
$("#region").onchange = () => renderAll();

function entriesTable(entries) {
  const head = el("tr", {}, ...["date", "kind", "memo", "account", "debit", "credit"].map((k) =>
    el("th", { scope: "col", className: ["debit", "credit"].includes(k) ? "num" : "" }, t(k))));
  const cell = (key, text, className = "") => el("td", { className, dataset: { label: t(key) } }, text);
  const rows = entries.flatMap((e) => e.lines.map((line, i) => el("tr", { dataset: { entryKey: e.entry_key } },
    cell("date", i === 0 ? e.effective_date : ""), cell("kind", i === 0 ? e.kind : ""), cell("memo", i === 0 ? e.memo : ""),
    cell("account", `${line.account} · ${line.pool_id}`), cell("debit", line.debit, "num"),
    cell("credit", line.credit, "num"))));
  return el("table", { className: "journal" }, el("thead", {}, head), el("tbody", {}, ...rows));
}

$("#journal-button").onclick = async () => {
  const pool = poolById(state.selectedPool);
  if (!pool) return;
  const page = await api(`/v1/pools/${encodeURIComponent(pool.pool_id)}/journal`);
  $("#journal").replaceChildren(el("h3", {}, `${t("journal")} · ${poolName(pool)}`), entriesTable(page.entries));
};

/* ---------- institutions ---------- */
function renderInstitutions() {
  const latest = new Map();
  for (const i of state.institutions) if (!latest.has(i.fixmedins_code)) latest.set(i.fixmedins_code, i);
  const shown = [...latest.values()].filter((i) => !regionFilter() || !i.admdvs || i.admdvs === regionFilter());
  $("#institutions").replaceChildren(...shown.map((i) => {
    const label = `${i.name || i.fixmedins_code} (${i.fixmedins_code}) ${i.year}`;
    const used = i.used_of_budget == null ? null : Number(i.used_of_budget);
    const meter = used == null ? el("span", { className: "muted" }, t("no_budget"))
      : el("meter", { min: 0, max: 1.2, low: 0.8, high: 1.0, optimum: 0.5, value: Math.min(used, 1.2), title: pct(used) });
    if (used != null) meter.setAttribute("aria-label", `${label} ${pct(used)}`);
    return el("li", { dataset: { code: i.fixmedins_code } },
      el("div", { className: "head" }, el("span", {}, label),
        el("span", { className: "num" }, `${t("fund_paid")} ${i.fund_paid} / ${t("budget")} ${i.annual_budget ?? "—"} · ${pct(i.used_of_budget)}`)),
      meter);
  }));
  $("#institution-choice").replaceChildren(...[...latest.keys()].map((code) => el("option", { value: code },
    `${latest.get(code).name || code} (${code})`)));
}

/* ---------- alerts ---------- */
function filteredAlerts() {
  const f = new FormData($("#alert-filters"));
  const q = (f.get("q") || "").trim().toLowerCase();
  return [...state.alerts.values()].filter((a) => {
    const s = f.get("state");
    if (s === "open" && a.state === "resolved") return false;
    if (!["open", "all"].includes(s) && a.state !== s) return false;
    if (f.get("severity") && a.severity !== f.get("severity")) return false;
    if (f.get("rule") && a.rule !== f.get("rule")) return false;
    if (regionFilter() && a.subject_type === "pool" && !a.subject_id.startsWith(`${regionFilter()}:`)) return false;
    if (!q) return true;
    return [a.rule, ruleName(a.rule), a.subject_id, subjectName(a), a.message, a.acked_by, a.ack_note]
      .some((v) => (v || "").toLowerCase().includes(q));
  }).sort((a, b) => {
    if ($("#alert-filters").elements.namedItem("sort").value === "newest") return b.evaluated_at.localeCompare(a.evaluated_at);
    return (a.severity === b.severity ? 0 : a.severity === "red" ? -1 : 1) || b.evaluated_at.localeCompare(a.evaluated_at);
  });
}

function renderAlerts() {
  const ruleSelect = $("#alert-filters").elements.namedItem("rule"), current = ruleSelect.value;
  const rules = [...new Set([...state.alerts.values()].map((a) => a.rule))].sort();
  ruleSelect.replaceChildren(el("option", { value: "" }, t("all")), ...rules.map((r) => el("option", { value: r }, ruleName(r))));
  ruleSelect.value = rules.includes(current) ? current : "";
  const rows = filteredAlerts();
  $("#alerts-count").textContent = `${t("shown")} ${rows.length} ${t("of")} ${state.alerts.size}`;
  $("#alerts").replaceChildren(...rows.map((a) => {
    const actions = el("div", { className: "actions" });
    const details = el("button", { type: "button", className: "details" }, t("details"));
    details.onclick = () => showAlert(a.alert_id);
    actions.append(details);
    if (a.state === "firing" && !state.asOf) {  /* a past day's view acknowledges nothing */
      const ack = el("button", { type: "button", className: "ack primary" }, t("acknowledge"));
      ack.onclick = () => openAck(a);
      actions.append(ack);
    }
    const acked = a.acked_by ? el("p", { className: "acked" },
      `${t("acked_by")} ${a.acked_by} · ${localTime(a.acked_at)} · ${t("note")}: ${a.ack_note}`) : null;
    return el("li", { className: `alert ${a.severity} state-${a.state}`, dataset: { alertId: a.alert_id, rule: a.rule } },
      el("div", { className: "what" },
        el("p", {}, el("span", { className: `sev ${a.severity}` }, t(a.severity)), " ",
          el("strong", {}, ruleName(a.rule)), " · ", el("span", { className: "subject" }, subjectName(a)), " ",
          el("span", { className: "state" }, `(${t(a.state)})`)),
        ...messageLines(a),
        el("p", { className: "muted" }, `${t("measure")} ${a.measure ?? "—"} · ${t("threshold")} ${a.threshold} · ` +
          `${t("evaluated_at")} ${localTime(a.evaluated_at)}`),
        acked),
      actions);
  }));
}
$("#alert-filters").oninput = () => renderAlerts();
$("#alert-filters").onsubmit = (ev) => ev.preventDefault();

let ackTarget = null;
function openAck(alert) {
  ackTarget = alert;
  $("#ack-subject").textContent = `${ruleName(alert.rule)} · ${subjectName(alert)} · ${alert.message}`;
  $("#ack-error").textContent = "";
  $("#ack-note").value = "";
  $("#ack-dialog").showModal();
}
$("#ack-cancel").onclick = () => $("#ack-dialog").close();
$("#ack-form").onsubmit = async (ev) => {
  ev.preventDefault();
  try {
    const updated = await api(`/v1/alerts/${encodeURIComponent(ackTarget.alert_id)}/ack`,
      { method: "POST", body: JSON.stringify({ note: $("#ack-note").value.trim() }) });
    state.alerts.set(updated.alert_id, updated);
    $("#ack-dialog").close();
    renderAlerts();
  } catch (error) { $("#ack-error").textContent = error.message; }
};

function factsList(facts) {
  return el("ul", { className: "evidence settlements" }, ...facts.map((f) => {
    const open = el("button", { type: "button", className: "link open-settlement" }, `${t("open_settlement")} ${f.setl_id}`);
    open.onclick = () => showSettlement(f.setl_id);
    return el("li", { dataset: { setlId: f.setl_id } },
      el("p", {}, `${f.kind} · ${f.setl_id} · ${f.fixmedins_code} · ${t("setl_date")} ${f.setl_date}` +
        `${f.inpatient ? ` · ${t("inpatient")}` : ""}`),
      el("p", { className: "num" }, `${t("medfee")} ${f.medfee_sumamt} · ${t("fund_pay")} ${f.fund_pay_sumamt} · ` +
        `${t("pooled_paid")} ${f.pooled_fund_paid}`), open);
  }));
}

async function showAlert(alertId) {
  const detail = await api(`/v1/alerts/${encodeURIComponent(alertId)}`);
  const a = detail.alert;
  const history = el("table", { className: "history" }, el("thead", {}, el("tr", {},
    ...["at", "state", "severity", "measure", "acked_by", "note"].map((k) => el("th", { scope: "col" }, t(k))))),
  el("tbody", {}, ...detail.history.map((c) => el("tr", {},
    ...[["at", localTime(c.at)], ["state", t(c.state)], ["severity", t(c.severity)], ["measure", c.measure ?? "—"],
      ["acked_by", c.acked_by || ""], ["note", c.ack_note || ""]]
      .map(([key, text]) => el("td", { dataset: { label: t(key) } }, text))))));
  fill($("#alert-detail-body"),
    el("p", {}, el("span", { className: `sev ${a.severity}` }, t(a.severity)), " ", el("strong", {}, ruleName(a.rule)),
      ` · ${subjectName(a)} · ${t(a.state)}`),
    ...messageLines(a),
    el("p", {}, `${t("measure")}: ${a.measure ?? "—"} · ${t("threshold")}: ${a.threshold} · ${t("evaluated_at")}: ${localTime(a.evaluated_at)}`),
    el("h3", {}, t("history_of_alert")), history,
    el("h3", {}, `${t("evidence")} · ${t("settlement")}`),
    detail.evidence_settlements.length ? factsList(detail.evidence_settlements) : el("p", { className: "muted" }, t("none")),
    el("h3", {}, `${t("evidence")} · ${t("entries")}`),
    detail.evidence_entries.length ? entriesTable(detail.evidence_entries) : el("p", { className: "muted" }, t("none")),
    detail.evidence_not_in_journal.length
      ? el("p", { className: "muted" }, `${t("not_in_journal")}: ${detail.evidence_not_in_journal.join(", ")}` ) : null);
  $("#alert-detail").hidden = false;
  $("#settlement-detail").hidden = true;
  $("#alert-detail").scrollIntoView();
}

async function showSettlement(setlId) {
  const view = await api(`/v1/settlements/${encodeURIComponent(setlId)}`);
  $("#settlement-title").textContent = `${t("settlement")} ${view.setl_id}`;
  $("#settlement-body").replaceChildren(factsList(view.facts), el("h3", {}, t("entries")), entriesTable(view.entries));
  $("#settlement-detail").hidden = false;
  $("#settlement-detail").scrollIntoView();
}

/* ---------- admin ---------- */
function adminResult(text) { $("#admin-result").textContent = text; }
async function submitAdmin(ev, request) {
  ev.preventDefault();
  try { await request(new FormData(ev.target)); adminResult(t("saved")); } catch (error) { adminResult(error.message); }
}
$("#budget-form").onsubmit = (ev) => submitAdmin(ev, (f) => api(`/v1/pools/${encodeURIComponent(f.get("pool"))}/budget`,
  { method: "PUT", body: JSON.stringify({ budget_due: f.get("budget_due"), planned_expenditure: f.get("planned_expenditure") }) }));
$("#threshold-form").onsubmit = (ev) => submitAdmin(ev, (f) => api(`/v1/pools/${encodeURIComponent(f.get("pool"))}/thresholds`,
  { method: "PUT", body: JSON.stringify({ rules: { [f.get("rule")]: { yellow: f.get("yellow"), red: f.get("red") } } }) }));
$("#institution-budget-form").onsubmit = (ev) => submitAdmin(ev, (f) => api(
  `/v1/institutions/${encodeURIComponent(f.get("code"))}/budget`,
  { method: "PUT", body: JSON.stringify({ year: Number(f.get("year")), annual_budget: f.get("annual_budget") }) }))
  .then(refreshInstitutions);

function renderThresholdRules() {
  const select = $("#threshold-rule"), current = select.value;
  select.replaceChildren(...Object.keys(RULES.en).filter((r) => !["institution_budget", "large_claim"].includes(r))
    .map((r) => el("option", { value: r }, ruleName(r))));
  if (current) select.value = current;
}

const OPERATIONS_EVERY_MS = 10000;
const SERVICE_NAMES = {
  zh: { enrollment: "参保登记", billing: "征缴", adjudication: "结算", ledger: "基金账务" },
  en: { enrollment: "Enrollment", billing: "Billing", adjudication: "Adjudication", ledger: "Fund ledger" },
};
/* Every service's backlog and lag, gathered by the ledger (GET /v1/operations/services). The lag asks the broker
   for its end offsets: once every OPERATIONS_EVERY_MS, not on every change of the pools. */
async function refreshOperations() {
  if (state.role !== "admin") return;
  const services = await api("/v1/operations/services");
  const numeric = ["unresolved", "partition", "lag"];
  const table = (heads, rows) => el("table", {}, el("thead", {}, el("tr", {}, ...heads.map((h) =>
    el("th", { scope: "col", className: numeric.includes(h) ? "num" : "" }, t(h))))), el("tbody", {}, ...rows));
  fill($("#operations"), ...services.map((ops) => {
    const name = `${SERVICE_NAMES[state.lang][ops.service] ?? ops.service} (${ops.service})`;
    if (!ops.answered) {
      return el("section", { className: "service", dataset: { service: ops.service } }, el("h4", {}, name),
        el("p", { className: "error" }, `${t("service_down")}: ${ops.problem}`));
    }
    return el("section", { className: "service", dataset: { service: ops.service } },
      el("h4", {}, name),
      el("h5", {}, t("dead_letters")),
      ops.dead_letters.length ? table(["consumer", "unresolved", "oldest"], ops.dead_letters.map((d) =>
        el("tr", { className: "dead-letter" }, el("td", {}, d.consumer), el("td", { className: "num unresolved" }, String(d.unresolved)),
          el("td", {}, localTime(d.oldest)))))
        : el("p", { className: "muted dead-letters-none" }, `${t("none")} (0)`),
      el("h5", {}, t("consumer_lag")),
      ops.broker_answered ? null : el("p", { className: "error" }, t("broker_down")),
      table(["consumer", "topic", "partition", "lag"], ops.consumer_lag.map((l) => el("tr", {}, el("td", {}, l.consumer),
        el("td", {}, l.topic), el("td", { className: "num" }, String(l.partition)),
        el("td", { className: "num lag" }, l.lag == null ? "—" : String(l.lag))))));
  }));
}

/* ---------- what-if (测算) ---------- */
/* The simulation runs in adjudication; the ledger forwards the page's requests (POST/GET /v1/simulations) with the
   operator's token. The pack file is sent as the text the operator chose; adjudication validates it like a shipped
   pack and a refusal names the field. */
const WHATIF_POLL_MS = 500;
const WHATIF_DIMENSIONS = ["fund", "month", "institution_level", "area", "person_category", "age_band"];

function renderWhatifChoices() {
  const select = $("#whatif-region"), current = select.value;
  const regions = [...new Set([...Object.keys(state.names.regions), ...state.pools.map((p) => p.admdvs)])].sort();
  select.replaceChildren(...regions.map((r) => el("option", { value: r }, `${nameOf("regions", r)} (${r})`)));
  const preferred = current || regionFilter() || (state.pools[0] || {}).admdvs;
  if (preferred && regions.includes(preferred)) select.value = preferred;
  const year = $("#whatif-year");
  if (!year.value && state.pools.length) year.value = String(Math.max(...state.pools.map((p) => p.year)));
}

/* The exact difference of two yuan texts ("1234.56"), counted in fen as integers: money is never a float. */
function yuanDifference(minuend, subtrahend) {
  const fen = (text) => { const [whole, part = ""] = text.replace("-", "").split(".");
    return (text.startsWith("-") ? -1n : 1n) * (BigInt(whole) * 100n + BigInt((part + "00").slice(0, 2))); };
  const d = fen(minuend) - fen(subtrahend), size = d < 0n ? -d : d;
  return `${d < 0n ? "-" : ""}${size / 100n}.${String(size % 100n).padStart(2, "0")}`;
}

/* The result's keys as operators read them, in the page's language: institution levels and areas (the packs'
   schema fixes them), person categories (enrollment's), months, age bands ("45-59", "70+") and deciles. Codes keep
   their key beside the name; a key not known here shows as it comes. */
const WHATIF_NAMES = {
  zh: {
    institution_level: { primary: "一级", secondary: "二级", tertiary: "三级" },
    area: { in_county: "县域内", in_city: "市域内县外", out_of_city: "市外" },
    person_category: { adult: "普通居民", minor: "未成年人", student: "在校学生", dibao: "低保对象", tekun: "特困人员",
      disabled_severe: "重度残疾人（一、二级）", disabled_moderate: "残疾人（三、四级）",
      poverty_registered: "建档立卡/监测户", entitled: "优抚对象", family_planning: "计划生育特殊家庭", orphan: "孤儿",
      employee: "职工" },
  },
  en: {
    institution_level: { primary: "primary", secondary: "secondary", tertiary: "tertiary" },
    area: { in_county: "in county", in_city: "in the city, out of county", out_of_city: "out of the city" },
    person_category: { adult: "ordinary resident", minor: "minor", student: "student",
      dibao: "minimum living allowance (dibao)", tekun: "extreme poverty (tekun)",
      disabled_severe: "severe disability (grades 1-2)", disabled_moderate: "disability (grades 3-4)",
      poverty_registered: "registered poor or monitored", entitled: "entitled groups",
      family_planning: "family-planning support", orphan: "orphan", employee: "employee" },
  },
};
const WHATIF_SPANS = {
  zh: { band: (low, high) => `${low}–${high}岁`, oldest: (low) => `${low}岁及以上`, decile: (p) => `${p}%分位` },
  en: { band: (low, high) => `aged ${low}–${high}`, oldest: (low) => `aged ${low} and over`,
        decile: (p) => `${p}th percentile` },
};
function whatifKey(dimension, key) {
  const spans = WHATIF_SPANS[state.lang];
  const coded = (name) => (name && name !== key ? `${name} (${key})` : key);
  if (dimension === "fund") return coded(nameOf("funds", key));
  if (dimension === "month") {
    const m = /^(\d{4})-(\d{2})$/.exec(key);
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1)).toLocaleDateString(
      state.lang === "zh" ? "zh-CN" : "en-GB", { year: "numeric", month: "long", timeZone: "UTC" }) : key;
  }
  if (dimension === "age_band") {
    const m = /^(\d+)(?:-(\d+)|\+)$/.exec(key);
    return !m ? key : m[2] ? spans.band(m[1], m[2]) : spans.oldest(m[1]);
  }
  if (dimension === "deciles") {
    const m = /^(\d+)%$/.exec(key);
    return m ? spans.decile(m[1]) : key;
  }
  return coded((WHATIF_NAMES[state.lang][dimension] || {})[key]);
}

function comparisonTable(dimension, rows) {
  const head = el("tr", {}, el("th", { scope: "col" }, t("key")),
    ...["actual", "candidate", "difference"].map((k) => el("th", { scope: "col", className: "num" }, t(k))));
  return el("table", { className: "whatif-table", dataset: { dimension } }, el("thead", {}, head),
    el("tbody", {}, ...rows.map((r) => el("tr", { dataset: { key: r.key } },
      el("th", { scope: "row" }, whatifKey(dimension, r.key)),
      el("td", { className: "num actual" }, r.actual), el("td", { className: "num candidate" }, r.candidate),
      el("td", { className: `num difference${Number(r.difference) ? " changed" : ""}` }, r.difference)))));
}

/* One figure: a bar chart of actual against candidate (its figures in its accessible name) and the exact table. */
function comparisonFigure(dimension, caption, rows) {
  const id = `whatif-chart-${dimension}`;
  const canvas = el("canvas", { id, role: "img" });
  canvas.setAttribute("aria-label", `${caption}: ` + rows.map((r) =>
    `${whatifKey(dimension, r.key)} ${t("actual")} ${r.actual}, ${t("candidate")} ${r.candidate}, ${t("difference")} ${r.difference}`)
    .join("; "));
  return [el("figure", { className: "whatif-figure", dataset: { dimension } }, el("figcaption", {}, caption),
    el("div", { className: "chart" }, canvas), comparisonTable(dimension, rows)), () => chart(id, {
    type: "bar",
    data: { labels: rows.map((r) => whatifKey(dimension, r.key)), datasets: [
      { label: t("actual"), data: rows.map((r) => Number(r.actual)), backgroundColor: "#6b7684" },
      { label: t("candidate"), data: rows.map((r) => Number(r.candidate)), backgroundColor: "#1f77b4" }] },
  })];
}

function peopleTable(people, className) {
  return el("table", { className }, el("thead", {}, el("tr", {},
    ...[["person", ""], ["actual", "num"], ["candidate", "num"], ["rise", "num"]].map(([k, c]) =>
      el("th", { scope: "col", className: c }, t(k))))),
  el("tbody", {}, ...people.map((p) => el("tr", { dataset: { psnNo: p.psn_no } }, el("td", {}, p.psn_no),
    el("td", { className: "num" }, p.actual ?? "—"), el("td", { className: "num" }, p.candidate ?? "—"),
    el("td", { className: "num" }, p.rise ?? "—")))));
}

function poolsPicture(pools) {
  if (!pools) return [];
  if (!pools.available) {
    return [el("h3", {}, t("fund_picture")), el("p", { className: "muted pools-unavailable" },
      `${t("fund_picture_unavailable")}: ${pools.reason || ""}`)];
  }
  const heads = [["pool", ""], ["income", "num"], ["fund_pay_actual", "num"], ["fund_pay_candidate", "num"],
    ["difference", "num"], ["year_end_balance", "num"], ["reserve_months", "num"], ["warnings_fired", ""]];
  const pair = (v) => (v ? `${v.actual ?? "—"} → ${v.candidate ?? "—"}` : "—");
  return [el("h3", {}, `${t("fund_picture")} (${t("as_of")} ${pools.as_of})`),
    el("table", { className: "whatif-pools" }, el("thead", {}, el("tr", {},
      ...heads.map(([k, c]) => el("th", { scope: "col", className: c }, t(k))))),
    el("tbody", {}, ...pools.items.map((i) => {
      const figures = [i.income, i.actual_fund_pay, i.candidate_fund_pay, i.difference, pair(i.year_end_balance),
        pair(i.reserve_months), i.warnings.length ? i.warnings.map((w) =>
          `${ruleName(w.rule)} ${t(w.level)} (${t("measure")} ${w.measure}, ${t("threshold")} ${w.threshold})`)
          .join("; ") : t("none")];
      return el("tr", { dataset: { poolId: i.pool_id } },
        el("th", { scope: "row" }, `${whatifKey("fund", i.fund_pay_type)} · ${i.year}`),
        ...heads.slice(1).map(([k, c], n) => el("td", { className: c, dataset: { label: t(k) } }, figures[n])));
    })))];
}

function renderWhatif() {
  renderWhatifChoices();
  const run = state.whatif;
  $("#whatif-progress").hidden = !run;
  if (!run) return;
  const { processed = 0, total = 0 } = run.progress || {};
  $("#whatif-status").dataset.status = run.status;
  $("#whatif-status").textContent = `${t(run.status)} · ${t("processed")} ${processed} / ${total}`;
  $("#whatif-bar").max = Math.max(total, 1);
  $("#whatif-bar").value = run.status === "done" ? Math.max(total, 1) : processed;
  $("#whatif-bar").setAttribute("aria-label", `${t("processed")} ${processed} / ${total}`);
  $("#whatif-error").textContent = run.status === "failed" ? `${t("failed")}: ${run.error || ""}` : "";
  const result = run.result;
  if (!result) { fill($("#whatif-result")); return; }
  const figures = WHATIF_DIMENSIONS.filter((d) => result[d]).map((d) => comparisonFigure(d, t(`by_${d}`), result[d]));
  const oop = result.out_of_pocket;
  const deciles = oop.deciles.map((d) => ({ key: `${d.decile * 10}%`, actual: d.actual, candidate: d.candidate,
    difference: yuanDifference(d.candidate, d.actual) }));
  const decileFigure = comparisonFigure("deciles", t("deciles"), deciles);
  fill($("#whatif-result"),
    el("p", { className: "whatif-counts" }, `${t("settlements_count")} ${result.settlements} · ${t("reversed_count")} ` +
      `${result.reversed} · ${t("refused_count")} ${result.refused.count} (${t("fund_pay")} ${result.refused.actual_fund_pay}) · ` +
      `${result.people} ${t("people")}`),
    el("div", { className: "charts" }, ...figures.map(([figure]) => figure), decileFigure[0]),
    el("h3", {}, `${t("rises")} (> ${oop.rises.more_than}): ${oop.rises.count} ${t("people")}`),
    oop.rises.people.length ? peopleTable(oop.rises.people, "whatif-rises") : null,
    el("h3", {}, `${t("newly_catastrophic")}: ${oop.newly_catastrophic.count} ${t("people")}`),
    el("ul", { className: "whatif-catastrophic" }, ...oop.newly_catastrophic.people.map((psnNo) => el("li", {}, psnNo))),
    ...poolsPicture(result.pools));
  for (const [, draw] of [...figures, decileFigure]) draw();
}

async function followSimulation(simulationId) {
  for (;;) {
    state.whatif = await api(`/v1/simulations/${encodeURIComponent(simulationId)}`);
    renderWhatif();
    if (["done", "failed"].includes(state.whatif.status)) return;
    await new Promise((r) => setTimeout(r, WHATIF_POLL_MS));
  }
}

$("#whatif-form").onsubmit = async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target), file = $("#whatif-pack").files[0];
  $("#whatif-error").textContent = "";
  $("#whatif-submit").disabled = true;
  try {
    const started = await api("/v1/simulations", { method: "POST", body: JSON.stringify({
      admdvs: f.get("admdvs"), year: Number(f.get("year")), share_rise: f.get("share_rise").trim(),
      pack_text: await file.text() }) });
    state.whatif = { ...started, progress: { processed: 0, total: 0 } };
    renderWhatif();
    await followSimulation(started.simulation_id);
  } catch (error) {
    $("#whatif-error").textContent = error.field ? `${error.message} (${t("refused_field")}: ${error.field})` : error.message;
  } finally {
    $("#whatif-submit").disabled = false;
  }
};

/* ---------- refresh and start ---------- */
async function refreshInstitutions() { state.institutions = await api("/v1/institutions"); renderInstitutions(); }

function renderAll() {
  renderPools();
  renderInstitutions();
  renderAlerts();
  renderThresholdRules();
  renderWhatif();
  renderHistory().catch(() => {});
}

async function start() {
  applyLanguage();
  if (!token()) { askToken(); return; }
  state.role = roleOfToken(token());
  if (state.role === "admin") for (const node of document.querySelectorAll(".admin-only")) node.hidden = false;
  $("#logout").onclick = () => { sessionStorage.removeItem(TOKEN_KEY); askToken(); };
  state.names = await api("/v1/names");
  await loadFigures();
  follow("/v1/pools/stream", (type, pools) => {
    if (type !== "pools") return;
    if (state.asOf) { loadFigures().catch(() => {}); return; }
    state.pools = pools;
    renderPools();
    renderHistory().catch(() => {});
    refreshInstitutions().catch(() => {});
  });
  follow("/v1/alerts/stream", (type, change) => {
    /* A change other than an acknowledgement clears who acknowledged (the alert fires anew or resolves). */
    const cleared = change.state === "acknowledged" ? {} : { acked_by: null, acked_at: null, ack_note: null };
    if (state.asOf) { loadFigures().catch(() => {}); return; }
    state.alerts.set(change.alert_id, { ...(state.alerts.get(change.alert_id) || {}), ...cleared, ...change });
    renderAlerts();
    $("#alerts-live").textContent = `${t("new_alert")}: ${t(change.severity)} ${ruleName(change.rule)} · ${subjectName(change)} · ${t(change.state)}`;
  });
  refreshOperations().catch(() => {});
  setInterval(() => refreshOperations().catch(() => {}), OPERATIONS_EVERY_MS);
}
start().catch((error) => { $("#status").textContent = error.message; });
