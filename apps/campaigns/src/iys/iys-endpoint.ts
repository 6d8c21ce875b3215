/** Where İYS is: a remote base URL (IYS_URL) or the simulator this process started before the app. */
export class IysEndpoint {
  private readonly url: string;
  constructor(
    url: string,
    private readonly simulator: boolean,
  ) {
    this.url = url.replace(/\/+$/, '');
  }
  baseUrl(): string {
    return this.url;
  }
  isSimulator(): boolean {
    return this.simulator;
  }
}
