// Reads TeX strings (JSON array) on stdin; prints the ones KaTeX rejects.
const katex = require(process.argv[2]);
let input = "";
process.stdin.on("data", d => input += d);
process.stdin.on("end", () => {
  const bad = [];
  for (const tex of JSON.parse(input)) {
    try { katex.renderToString(tex, {displayMode: true, throwOnError: true}); }
    catch (e) { bad.push([tex.slice(0, 120), String(e.message).slice(0, 200)]); }
  }
  console.log(JSON.stringify(bad));
});
