/**
 * The dashboard's one stylesheet and one small script, served from memory
 * with long caching. The script only enhances: pages read fine without it.
 * It lays out the timeline bars, applies the run's server-sent events to the
 * page as they arrive (no polling), and wires the stop buttons to the one
 * CSRF-protected form.
 */

export const DASHBOARD_CSS = `*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
header{display:flex;gap:1em;align-items:center;padding:.6em 1em;border-bottom:1px solid #d0d7de;background:#f6f8fa}header a{color:inherit;text-decoration:none;font-weight:600}header .me{margin-left:auto}
main{padding:1em;max-width:1200px;margin:auto}h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3em .5em;border-bottom:1px solid #eaeef2;vertical-align:top}
.st{display:inline-block;padding:0 .5em;border-radius:1em;font-size:.85em;background:#eaeef2}.st.ok,.st.finished,.st.done{background:#dafbe1}.st.error,.st.failed{background:#ffebe9}.st.running,.st.started{background:#ddf4ff}.st.cancelled,.st.stopped,.st.capped,.st.budget-exhausted{background:#fff8c5}
.facts{display:flex;flex-wrap:wrap;gap:.4em 1.5em;margin:.5em 0}.facts b{font-weight:600}
#tl{list-style:none;padding:0;margin:0;font-size:12px}#tl li{display:grid;grid-template-columns:minmax(12em,28%) 1fr auto;gap:.5em;align-items:center;border-bottom:1px solid #f3f4f6}
#tl li a{overflow:hidden;white-space:nowrap;text-overflow:ellipsis;color:inherit}#tl .bar{position:relative;height:10px}#tl i{position:absolute;top:1px;height:8px;background:#54aeff;border-radius:2px;min-width:2px}
#tl .q i{background:#d0d7de}#tl .r i{background:#54aeff}#tl .d i{background:#2da44e}#tl .x i{background:#cf222e}#tl .c i{background:#8c959f}#tl .s i{background:#bf8700}
#tl .refuter a{padding-left:1.2em;color:#6e7781}#tl .refuter i{opacity:.75}#tl .ph{display:block;font-weight:600;padding-top:.6em;border:0}
.v-refuted{color:#cf222e}.v-upheld{color:#1a7f37}.v-unverified{color:#9a6700}
pre{background:#f6f8fa;padding:.6em;overflow:auto;max-height:40em;white-space:pre-wrap;word-break:break-word}
pre.diff .a{color:#116329;background:#dafbe1;display:inline-block;width:100%}pre.diff .d{color:#82071e;background:#ffebe9;display:inline-block;width:100%}pre.diff .h{color:#0550ae}pre.diff .f{font-weight:600}
details{margin:.3em 0}summary{cursor:pointer}.tool summary code{font-weight:600}.err{color:#cf222e}.note{background:#fff8c5;padding:.5em;border-radius:4px}
button{font:inherit;cursor:pointer;padding:.15em .6em;border:1px solid #d0d7de;border-radius:4px;background:#f6f8fa}button.danger{color:#cf222e}
form.inline{display:inline}.side{display:grid;grid-template-columns:1fr 1fr;gap:1em}@media(max-width:800px){.side{grid-template-columns:1fr}}`;

export const DASHBOARD_JS = `(function(){
var tl=document.getElementById("tl");
function layout(){if(!tl)return;var now=Date.now()-Number(tl.dataset.t0),end=tl.dataset.end?Number(tl.dataset.end):now,span=Math.max(end,1);
var rows=tl.querySelectorAll("li[data-q]");for(var i=0;i<rows.length;i++){var r=rows[i],q=Number(r.dataset.q),s=r.dataset.s?Number(r.dataset.s):null,e=r.dataset.e?Number(r.dataset.e):null;
var from=s===null?q:s,to=e===null?(tl.dataset.end?span:now):e,b=r.querySelector("i");if(b){b.style.left=(100*from/span).toFixed(2)+"%";b.style.width=(100*Math.max(to-from,0)/span).toFixed(2)+"%";}}}
layout();
document.addEventListener("submit",function(ev){var f=ev.target;if(f&&f.dataset&&f.dataset.confirm&&!confirm(f.dataset.confirm))ev.preventDefault();});
var form=document.getElementById("stopf");
document.addEventListener("click",function(ev){var t=ev.target;if(!form||!t||!t.dataset||!t.dataset.stop)return;ev.preventDefault();
if(!confirm("Stop agent "+t.dataset.stop+"? Its call resolves null in the script."))return;form.action=form.dataset.base+t.dataset.stop+"/stop";form.submit();});
var live=document.body.dataset.events;if(!live||!window.EventSource)return;
var src=new EventSource(live),labels={},pending=false;
function row(id){return document.getElementById("ag-"+id);}
function set(id,k,v,cls){var r=row(id);if(!r)return;r.dataset[k]=v;if(cls){r.className=r.className.replace(/\\b[qrdxcs]\\b/g,"").trim()+" "+cls;}
var st=r.querySelector(".st");if(st&&cls){var names={q:"queued",r:"running",d:"finished",x:"failed",c:"cached",s:"stopped"};st.textContent=names[cls];st.className="st "+names[cls];}
var btn=r.querySelector("[data-stop]");if(btn&&cls!=="r"&&cls!=="q")btn.remove();}
function text(id,v){var el=document.getElementById(id);if(el)el.textContent=v;}
src.onmessage=function(m){var e=JSON.parse(m.data),t0=Number(tl?tl.dataset.t0:0);
if(e.type==="agent.queued"&&tl&&!row(e.agentId)){var li=document.createElement("li");li.id="ag-"+e.agentId;li.className=e.role+" q";li.dataset.q=String(e.at-t0);
var a=document.createElement("a");a.href=(document.body.dataset.agents||"")+e.agentId;a.textContent=e.label;li.appendChild(a);var bar=document.createElement("span");bar.className="bar";bar.appendChild(document.createElement("i"));li.appendChild(bar);
var st=document.createElement("span");st.className="st queued";st.textContent="queued";li.appendChild(st);
if(form){var b=document.createElement("button");b.dataset.stop=e.agentId;b.textContent="stop";li.appendChild(b);}tl.appendChild(li);}
else if(e.type==="agent.started")set(e.agentId,"s",String(e.at-t0),"r");
else if(e.type==="agent.finished")set(e.agentId,"e",String(e.at-t0),"d");
else if(e.type==="agent.cached")set(e.agentId,"e",String(e.at-t0),"c");
else if(e.type==="agent.failed")set(e.agentId,"e",String(e.at-t0),e.stopped?"s":"x");
else if(e.type==="phase")text("phase",e.title);
else if(e.type==="budget"){var sp=document.getElementById("spent");text("spent","$"+(e.spentUsd+Number((sp&&sp.dataset.before)||0)).toFixed(4));}
else if(e.type==="run.finished"){src.close();setTimeout(function(){location.reload();},300);}
var n=document.getElementById("agents-n");if(n&&tl)n.textContent=String(tl.querySelectorAll("li[data-q]").length);
if(!pending){pending=true;requestAnimationFrame(function(){pending=false;layout();});}};
setInterval(layout,2000);
})();`;
