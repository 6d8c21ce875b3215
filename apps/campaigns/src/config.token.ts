/** The validated AppConfig (from @izinli/config), provided once by the app module. */
export const APP_CONFIG = Symbol('APP_CONFIG');
