// index.js — the landing page (/): translated labels and the language switch.
import { applyI18n, langButton } from './i18n.js';

document.getElementById('lang').append(langButton());
applyI18n();
window.addEventListener('phonghop:lang', () => applyI18n());
