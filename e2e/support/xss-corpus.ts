/**
 * XSS payloads in the spirit of OWASP's XSS filter-evasion cheat sheet.
 * Every payload, if it ever ran, would set `window.__xss` (or `top.__xss`),
 * so a test can assert the flag stays unset. None starts or ends with
 * whitespace, so what is sent is exactly what must be shown.
 */
const F = 'window.__xss=(window.__xss||0)+1';

export const MESSAGE_PAYLOADS: readonly string[] = [
  `<script>${F}</script>`,
  `<SCRIPT>${F}</SCRIPT>`,
  `<ScRiPt>${F}</sCrIpT>`,
  `<script src=data:text/javascript,${F}></script>`,
  `<scr<script>ipt>${F}</scr</script>ipt>`,
  `<<script>${F}//<</script>`,
  `&lt;script&gt;${F}&lt;/script&gt;`,
  `%3Cscript%3E${F}%3C/script%3E`,
  `\\u003cscript\\u003e${F}\\u003c/script\\u003e`,
  `<img src=x onerror="${F}">`,
  `<IMG SRC=x OnErRoR=${F}>`,
  `<img src=x onerror=&#119;&#105;&#110;&#100;&#111;&#119;.__xss=1>`,
  `<img src="x" onerror="eval(atob('d2luZG93Ll9feHNzPTE='))">`,
  `<img src=javascript:${F}>`,
  `<svg onload=${F}>`,
  `<svg><script>${F}</script></svg>`,
  `<svg><animate onbegin=${F} attributeName=x dur=1s>`,
  `<body onload=${F}>`,
  `<iframe src="javascript:top.__xss=1"></iframe>`,
  `<iframe srcdoc="<script>top.__xss=1</script>"></iframe>`,
  `<details open ontoggle=${F}>`,
  `<input autofocus onfocus=${F}>`,
  `<video><source onerror="${F}"></video>`,
  `<a href="javascript:${F}">click</a>`,
  `<a href="jav&#x09;ascript:${F}">tab entity</a>`,
  `<a href="jav\tascript:${F}">raw tab</a>`,
  `<a href="java\nscript:${F}">raw newline</a>`,
  `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;top.__xss=1">entities</a>`,
  `<a href="data:text/html;base64,PHNjcmlwdD50b3AuX194c3M9MTwvc2NyaXB0Pg==">data</a>`,
  `<a href="vbscript:msgbox(1)">vb</a>`,
  `<div style="background:url(javascript:${F})">bg</div>`,
  `<div style="width:expression(${F})">expr</div>`,
  `<style>@import 'javascript:${F}';</style>`,
  `<meta http-equiv="refresh" content="0;url=javascript:${F}">`,
  `<template><img src=x onerror=${F}></template>`,
  `<noscript><p title="</noscript><img src=x onerror=${F}>">`,
  `"><img src=x onerror=${F}>`,
  `'><svg onload=${F}>`,
  `</textarea><script>${F}</script>`,
  `</title><script>${F}</script>`,
  `[click me](javascript:${F})`,
  `[x](https://example.com/" onmouseover="${F})`,
  `https://example.com/"onmouseover="${F}"`,
  `https://example.com/?q=<script>${F}</script>`,
  `javascript:${F}`,
  `{{constructor.constructor('${F}')()}}`,
];

/** Payloads that fit a display name (at most 64 characters); few, because each is an account to sign up. */
export const DISPLAY_NAME_PAYLOADS: readonly string[] = [
  '<script>top.__xss=1</script><img src=x onerror=top.__xss=1>',
  '"><svg onload=top.__xss=1><a href="javascript:top.__xss=1">me',
  '</title><details open ontoggle=top.__xss=1>',
];

/** Payloads that fit a conversation title (at most 100 characters). */
export const TITLE_PAYLOADS: readonly string[] = [
  `<img src=x onerror="${F}">`,
  `</textarea><svg onload=${F}>`,
  `"><iframe src="javascript:top.__xss=1"></iframe>`,
];
