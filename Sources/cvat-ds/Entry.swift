import CvatDSCommands

@main
enum Entry {
    static func main() async {
        await CvatDS.main()
    }
}
