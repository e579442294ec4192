// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What a contract must answer to receive NFTs through safeTransferFrom (EIP-721).
interface IERC721Receiver {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}

/// @title A collection of at most 10 tokens, at most 3 minted by any one address (lesson 10,
/// instructor's solution: EIP-721 written from scratch).
contract Collectible {
    uint256 public constant MAX_SUPPLY = 10;
    uint256 public constant MAX_PER_ADDRESS = 3;

    /// @notice How many tokens exist; the latest one's id.
    uint256 public totalMinted;
    /// @notice How many tokens `minter` has minted, ever.
    mapping(address => uint256) public mintedBy;

    mapping(uint256 => address) private _owners;
    mapping(address => uint256) private _balances;
    mapping(uint256 => address) private _approved;
    mapping(address => mapping(address => bool)) private _operators;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    error NoSuchToken(uint256 tokenId);
    error ZeroAddress();
    error NotAllowed(address caller, uint256 tokenId);
    error WrongOwner(address from, uint256 tokenId);
    error SoldOut(uint256 maxSupply);
    error MintLimit(address minter, uint256 limit);
    error NotAReceiver(address to);

    /// @notice Mint the next token (ids 1, 2, 3, ...) to the caller.
    function mint() external returns (uint256 tokenId) {
        if (totalMinted == MAX_SUPPLY) revert SoldOut(MAX_SUPPLY);
        if (mintedBy[msg.sender] == MAX_PER_ADDRESS) revert MintLimit(msg.sender, MAX_PER_ADDRESS);
        mintedBy[msg.sender] += 1;
        tokenId = ++totalMinted;
        _owners[tokenId] = msg.sender;
        _balances[msg.sender] += 1;
        emit Transfer(address(0), msg.sender, tokenId);
    }

    /// @notice How many tokens `owner` holds.
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ZeroAddress();
        return _balances[owner];
    }

    /// @notice Who holds token `tokenId`; reverts for a token that does not exist.
    function ownerOf(uint256 tokenId) public view returns (address owner) {
        owner = _owners[tokenId];
        if (owner == address(0)) revert NoSuchToken(tokenId);
    }

    /// @notice Let `to` transfer token `tokenId` (address(0): nobody); owner or operator only.
    function approve(address to, uint256 tokenId) external {
        address owner = ownerOf(tokenId);
        if (msg.sender != owner && !_operators[owner][msg.sender]) {
            revert NotAllowed(msg.sender, tokenId);
        }
        _approved[tokenId] = to;
        emit Approval(owner, to, tokenId);
    }

    /// @notice The address approved for token `tokenId` (address(0) if none).
    function getApproved(uint256 tokenId) external view returns (address) {
        ownerOf(tokenId);
        return _approved[tokenId];
    }

    /// @notice Let `operator` manage all of the caller's tokens (or stop it).
    function setApprovalForAll(address operator, bool approved) external {
        _operators[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    /// @notice Whether `operator` manages all of `owner`'s tokens.
    function isApprovedForAll(address owner, address operator) external view returns (bool) {
        return _operators[owner][operator];
    }

    /// @notice Move token `tokenId` from `from` to `to`; by its owner, its approved address or
    /// an operator of the owner.
    function transferFrom(address from, address to, uint256 tokenId) public {
        address owner = ownerOf(tokenId);
        if (from != owner) revert WrongOwner(from, tokenId);
        if (to == address(0)) revert ZeroAddress();
        if (msg.sender != owner && msg.sender != _approved[tokenId] && !_operators[owner][msg.sender]) {
            revert NotAllowed(msg.sender, tokenId);
        }
        delete _approved[tokenId];
        _balances[from] -= 1;
        _balances[to] += 1;
        _owners[tokenId] = to;
        emit Transfer(from, to, tokenId);
    }

    /// @notice transferFrom, then make sure a contract receiving the token knows it.
    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    /// @notice safeTransferFrom, passing `data` on to the receiving contract.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        transferFrom(from, to, tokenId);
        if (to.code.length > 0) {
            try IERC721Receiver(to).onERC721Received(msg.sender, from, tokenId, data) returns (
                bytes4 answer
            ) {
                if (answer != IERC721Receiver.onERC721Received.selector) revert NotAReceiver(to);
            } catch {
                revert NotAReceiver(to);
            }
        }
    }

    /// @notice ERC-165: yes for ERC-165 itself (0x01ffc9a7) and ERC-721 (0x80ac58cd).
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x80ac58cd;
    }
}
