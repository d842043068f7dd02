// index.js — the landing page (/): translated labels and the language switch.
//
// data-testid contract (in index.html): link-tablet, link-console, link-hall, lang-toggle
import { applyI18n, langButton } from './i18n.js';

document.getElementById('lang').append(langButton());
applyI18n();
window.addEventListener('phonghop:lang', () => applyI18n());
